import HTTP2
import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import TLS

/// How an `RPCServer` listens and what it enforces.
///
/// Exists so executables map `--listen-address`, `--ca-file`, `--cert-file`, `--key-file` and
/// `--insecure-plaintext` onto one value.
public struct RPCServerConfiguration: Sendable {
    /// How the server's connections are secured.
    public enum Security: Sendable {
        /// Mutual TLS: client certificate required and verified against the CA.
        case mutualTLS(RPCTLSConfiguration)
        /// h2c with prior knowledge; only behind an explicit `--insecure-plaintext`.
        case insecurePlaintext
    }

    /// The address to listen on, e.g. `0.0.0.0` or `127.0.0.1`.
    public var host: String
    /// 0 picks a free port (see `RPCServer.localPort`).
    public var port: Int
    /// Mutual TLS or (explicitly) h2c.
    public var security: Security
    /// HTTP/2 settings and stream watermarks of accepted connections.
    public var http2 = HTTP2Settings()
    /// Larger requests end with RESOURCE_EXHAUSTED.
    public var maxReceiveMessageSize = 4 * 1024 * 1024
    /// Larger responses end with RESOURCE_EXHAUSTED.
    public var maxSendMessageSize = 64 * 1024 * 1024
    /// Event loop threads (default: one per core).
    public var threads = System.coreCount
    /// Every handler starts inline on its connection's event loop (`Task.immediate`) and runs
    /// there until it first suspends, so a handler that answers without awaiting costs no thread
    /// hop. By default it continues on Swift's cooperative pool after a suspension; with this set
    /// it continues on the event loop too (no hop back either, but a handler that then blocks
    /// stalls every connection on its loop). Off by default.
    public var runsHandlersOnEventLoop = false
    /// What `grpc.health.v1.Health` reports for the whole server ("") once it listens. A server that
    /// must first win an election or migrate starts NOT_SERVING and sets SERVING itself.
    public var initialHealthStatus: HealthStatusBoard.ServingStatus = .serving

    /// A server on `host:port` with the default limits.
    public init(host: String, port: Int, security: Security) {
        self.host = host
        self.port = port
        self.security = security
    }
}

/// The gRPC server: accepts connections, runs TLS and HTTP/2, and dispatches calls via the router
/// through the interceptors; serves `grpc.health.v1.Health` and server reflection itself.
public final class RPCServer: Sendable {
    private struct State {
        var group: MultiThreadedEventLoopGroup?
        var listener: (any Channel)?
        var localPort = 0
        var shuttingDown = false
    }

    private let configuration: RPCServerConfiguration
    private let environment: ServerCallEnvironment
    private let board: HealthStatusBoard
    private let connections = ServerConnectionRegistry()
    private let state = NIOLockedValueBox(State())

    public init(
        configuration: RPCServerConfiguration, router: RPCRouter, interceptors: [any ServerInterceptor] = []
    ) {
        self.configuration = configuration
        let board = HealthStatusBoard()
        self.board = board
        var router = router
        router.addFileDescriptorSet(base64: StandardServiceDescriptors.fileDescriptorSetBase64)
        router.register(HealthService(board: board))
        ReflectionService.register(in: &router)
        self.environment = ServerCallEnvironment(
            router: router, interceptors: interceptors,
            maxReceiveMessageSize: configuration.maxReceiveMessageSize,
            maxSendMessageSize: configuration.maxSendMessageSize,
            streamHighWatermark: configuration.http2.streamHighWatermark,
            runsHandlersOnEventLoop: configuration.runsHandlersOnEventLoop,
            logger: Logger(label: "bbs.rpc.server"))
    }

    /// Binds and starts accepting connections.
    public func start() async throws {
        let tls: TLSContext?
        switch configuration.security {
        case .mutualTLS(let files): tls = try TLSContext(configuration: files.tlsConfiguration, role: .server)
        case .insecurePlaintext: tls = nil
        }
        let group = MultiThreadedEventLoopGroup(numberOfThreads: max(1, configuration.threads))
        let environment = self.environment
        let connections = self.connections
        let settings = configuration.http2
        let bootstrap = ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: 256)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
            .childChannelOption(.maxMessagesPerRead, value: 16)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try Self.configure(
                        channel, tls: tls, settings: settings, environment: environment, connections: connections)
                }
            }
        do {
            let listener = try await bootstrap.bind(host: configuration.host, port: configuration.port).get()
            state.withLockedValue {
                $0.group = group
                $0.listener = listener
                $0.localPort = listener.localAddress?.port ?? 0
            }
            board.setStatus(configuration.initialHealthStatus, forService: "")
        } catch {
            try? await group.shutdownGracefully()
            throw error
        }
    }

    private static func configure(
        _ channel: any Channel, tls: TLSContext?, settings: HTTP2Settings, environment: ServerCallEnvironment,
        connections: ServerConnectionRegistry
    ) throws {
        let info = ServerConnectionInfo(remoteAddress: Self.describe(channel.remoteAddress))
        if environment.runsHandlersOnEventLoop { info.executor = EventLoopTaskExecutor(loop: channel.eventLoop) }
        let pipeline = channel.pipeline.syncOperations
        if let tls {
            try pipeline.addHandler(TLSHandler(context: tls))
            try pipeline.addHandler(PeerIdentityHandler(info: info))
        }
        let id = connections.add(channel)
        let loop = channel.eventLoop
        try pipeline.addHandler(
            HTTP2ServerHandler(
                settings: settings,
                connectionReady: { connection in
                    connections.setConnection(NIOLoopBound(connection, eventLoop: loop), for: id)
                },
                makeStreamHandler: { streamID, connection in
                    ServerStreamHandler(
                        streamID: streamID, connection: connection, environment: environment, connectionInfo: info)
                }))
        channel.closeFuture.whenComplete { _ in connections.remove(id) }
    }

    /// `host:port`, with IPv6 hosts in brackets.
    static func describe(_ address: SocketAddress?) -> String {
        guard let address, let ip = address.ipAddress else { return "unknown" }
        let host = ip.contains(":") ? "[\(ip)]" : ip
        return "\(host):\(address.port ?? 0)"
    }

    /// The bound port (useful with port 0).
    public var localPort: Int { state.withLockedValue { $0.localPort } }

    /// The health service, to change serving status per service ("" is the whole server).
    public var health: HealthStatusBoard { board }

    /// GOAWAY to every connection, lets calls in flight finish (up to `timeout`), then closes.
    public func shutdownGracefully(timeout: Duration = .seconds(10)) async {
        let (group, listener) = state.withLockedValue { state -> (MultiThreadedEventLoopGroup?, (any Channel)?) in
            guard !state.shuttingDown else { return (nil, nil) }
            state.shuttingDown = true
            return (state.group, state.listener)
        }
        guard let group else { return }
        board.enterShutdown()
        try? await listener?.close()
        connections.shutdownAll()
        let drained = await connections.waitUntilEmpty(timeout: timeout)
        if !drained { await connections.closeAll() }
        try? await group.shutdownGracefully()
    }
}

/// Records the verified peer identity from the `TLSEstablished` event for the calls of a connection.
///
/// Exists because handlers see the client certificate through `ServerContext.peer`, and TLS
/// reports it as a user event that the HTTP/2 handler has no reason to know.
final class PeerIdentityHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer

    private let info: ServerConnectionInfo

    init(info: ServerConnectionInfo) {
        self.info = info
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if let established = event as? TLSEstablished {
            info.peer = RPCPeerIdentity(established.peer)
        }
        context.fireUserInboundEventTriggered(event)
    }
}
