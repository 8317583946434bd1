import NIOCore
import NIOHTTP1
import NIOPosix
import Synchronization

/// The operators' HTTP/1.1 endpoint (`--debug-address`, default `127.0.0.1:17017`): `GET /healthz`
/// now, `/metrics` and more as routes are added.
///
/// Exists apart from the gRPC server because operators and their tools (`curl`, a monit check, a
/// Prometheus scrape) speak plain HTTP, with no client certificate, and must reach a bbs that is not
/// (or no longer) serving gRPC. For that same reason it listens on loopback only, unless the caller
/// explicitly allows another address.
package final class DebugServer: Sendable {
    /// Where the debug server listens.
    package struct Configuration: Sendable, Equatable {
        /// The host of `--debug-address`: an IP literal or a name resolving to one.
        package var host: String
        /// 0 picks a free port (see `DebugServer.localPort`).
        package var port: Int
        /// Listen on an address other than loopback. Off by default: the endpoint has no authentication.
        package var allowsNonLoopbackHost: Bool

        /// Diego's default, `127.0.0.1:17017`, unless told otherwise.
        package init(host: String = "127.0.0.1", port: Int = 17017, allowsNonLoopbackHost: Bool = false) {
            self.host = host
            self.port = port
            self.allowsNonLoopbackHost = allowsNonLoopbackHost
        }

        /// `host:port`, with IPv6 hosts in brackets, as operator messages show it.
        package var address: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }
    }

    private enum State {
        case idle
        case starting
        case listening(any Channel)
        case stopped
    }

    private let configuration: Configuration
    private let routes: DebugRoutes
    private let group: any EventLoopGroup
    private let connections = DebugConnections()
    private let state = Mutex(State.idle)

    /// A server answering `/healthz` from `health` and every path of `routes` (which may not include
    /// `/healthz`), on `group`'s loops (NIO's shared group unless given one).
    package init(
        configuration: Configuration = Configuration(),
        health: @escaping DebugRoutes.HealthCheck,
        routes: [String: DebugRoute] = [:],
        group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton
    ) {
        self.configuration = configuration
        self.routes = DebugRoutes(health: health, routes: routes)
        self.group = group
    }

    /// Checks the address, binds and starts accepting connections. Throws `DebugServerError`; a server is
    /// started at most once.
    package func start() async throws {
        let entered = state.withLock { state -> Bool in
            guard case .idle = state else { return false }
            state = .starting
            return true
        }
        precondition(entered, "a DebugServer is started once")
        let address: SocketAddress
        let listener: any Channel
        do {
            address = try Self.resolve(configuration)
            listener = try await bootstrap().bind(to: address).get()
        } catch {
            state.withLock { $0 = .stopped }
            if let error = error as? DebugServerError { throw error }
            throw DebugServerError.cannotListen(configuration.address, String(describing: error))
        }
        let stoppedMeanwhile = state.withLock { state -> Bool in
            guard case .starting = state else { return true }
            state = .listening(listener)
            return false
        }
        if stoppedMeanwhile { try? await listener.close() }
    }

    /// The port being listened on (the chosen one when configured with 0); nil unless listening.
    package var localPort: Int? {
        state.withLock { state in
            guard case .listening(let listener) = state else { return nil }
            return listener.localAddress?.port
        }
    }

    /// Stops accepting, lets each request in flight get its response (idle connections close at once),
    /// and after `timeout`, or when the calling task is cancelled, closes whatever is still open. Safe to
    /// call more than once.
    package func stop(timeout: Duration = .seconds(5)) async {
        let listener = state.withLock { state -> (any Channel)? in
            defer { state = .stopped }
            guard case .listening(let listener) = state else { return nil }
            return listener
        }
        try? await listener?.close()
        let open = connections.quiesce()
        guard !open.isEmpty else { return }
        let loop = group.any()
        let deadline = loop.scheduleTask(in: TimeAmount(timeout)) {
            for channel in open { channel.close(promise: nil) }
        }
        await withTaskCancellationHandler {
            try? await EventLoopFuture.andAllComplete(open.map(\.closeFuture), on: loop).get()
        } onCancel: {
            for channel in open { channel.close(promise: nil) }
        }
        deadline.cancel()
    }

    // MARK: - Listening

    private func bootstrap() -> ServerBootstrap {
        let routes = self.routes
        let connections = self.connections
        return ServerBootstrap(group: group)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                connections.add(channel)
                return channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline(withErrorHandling: true)
                    try channel.pipeline.syncOperations.addHandler(DebugHTTPHandler(routes: routes))
                }
            }
    }

    /// The socket address to bind, refused unless it is loopback or non-loopback is allowed.
    static func resolve(_ configuration: Configuration) throws(DebugServerError) -> SocketAddress {
        guard (0...65535).contains(configuration.port) else {
            throw .badAddress(configuration.address, "the port must be between 0 and 65535")
        }
        let address: SocketAddress
        do {
            address = try SocketAddress.makeAddressResolvingHost(configuration.host, port: configuration.port)
        } catch {
            throw .badAddress(configuration.address, "the host does not resolve to an IP address")
        }
        guard configuration.allowsNonLoopbackHost || isLoopback(address) else {
            throw .nonLoopbackHost(configuration.address)
        }
        return address
    }

    /// Whether `address` is 127.0.0.0/8, `::1` or an IPv4-mapped 127.x address.
    static func isLoopback(_ address: SocketAddress) -> Bool {
        guard let ip = address.ipAddress?.lowercased() else { return false }
        switch address.protocol {
        case .inet: return ip.hasPrefix("127.")
        case .inet6: return ip == "::1" || ip.hasPrefix("::ffff:127.")
        default: return false
        }
    }
}

/// Why the debug server did not start, in words for the operator.
package struct DebugServerError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What went wrong, for callers that must tell the cases apart.
    package enum Kind: Sendable, Equatable {
        /// The address is not loopback and non-loopback was not allowed.
        case nonLoopbackHost
        /// The host does not resolve or the port is out of range.
        case badAddress
        /// Binding failed (the port is taken, the address is not this machine's).
        case cannotListen
    }

    /// The case.
    package var kind: Kind
    /// One line for the operator.
    package var description: String

    static func nonLoopbackHost(_ address: String) -> DebugServerError {
        DebugServerError(
            kind: .nonLoopbackHost,
            description: "debug address \(address) is not a loopback address: the debug endpoint has no "
                + "authentication and is for operators on this machine; use 127.0.0.1 or ::1, or allow a "
                + "non-loopback debug address explicitly")
    }

    static func badAddress(_ address: String, _ why: String) -> DebugServerError {
        DebugServerError(kind: .badAddress, description: "bad debug address \(address): \(why)")
    }

    static func cannotListen(_ address: String, _ why: String) -> DebugServerError {
        DebugServerError(kind: .cannotListen, description: "cannot listen on debug address \(address): \(why)")
    }
}

// MARK: - Connections

/// The open debug connections, so `stop` can quiesce them.
private final class DebugConnections: Sendable {
    private struct State {
        var channels: [ObjectIdentifier: any Channel] = [:]
        var quiescing = false
    }

    private let state = Mutex(State())

    /// Tracks `channel` until it closes; closes it at once if the server is already stopping.
    func add(_ channel: any Channel) {
        let id = ObjectIdentifier(channel)
        let accepted = state.withLock { state -> Bool in
            guard !state.quiescing else { return false }
            state.channels[id] = channel
            return true
        }
        guard accepted else { return channel.close(promise: nil) }
        channel.closeFuture.whenComplete { _ in _ = self.state.withLock { $0.channels.removeValue(forKey: id) } }
    }

    /// Asks every open connection to finish its request and close; returns them to wait for.
    func quiesce() -> [any Channel] {
        let (open, first) = state.withLock { state -> ([any Channel], Bool) in
            defer { state.quiescing = true }
            return (Array(state.channels.values), !state.quiescing)
        }
        // NIO's pipeline handler asserts it is quiesced once.
        if first { for channel in open { channel.pipeline.fireUserInboundEventTriggered(ChannelShouldQuiesceEvent()) } }
        return open
    }
}
