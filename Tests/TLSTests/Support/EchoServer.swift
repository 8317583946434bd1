import NIOCore
import NIOPosix
import TLS

/// What the server saw on one connection, reported when it closed.
struct ServerConnectionOutcome: Sendable {
    var established: TLSEstablished?
    var error: TLSError?
    var receivedBytes = 0
    /// Set if plaintext arrived before `TLSEstablished` (which must never happen).
    var plaintextBeforeEstablished = false
}

/// A real TLS server on 127.0.0.1 that echoes every byte and reports each connection's outcome.
final class EchoServer {
    let channel: Channel
    let port: Int
    private var outcomes: AsyncStream<ServerConnectionOutcome>.Iterator

    static func start(context: TLSContext) async throws -> EchoServer {
        let (stream, continuation) = AsyncStream.makeStream(of: ServerConnectionOutcome.self)
        let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandlers(
                        TLSHandler(context: context), EchoRecorder(report: continuation))
                }
            }
            .bind(host: "127.0.0.1", port: 0).get()
        return EchoServer(channel: channel, outcomes: stream.makeAsyncIterator())
    }

    private init(channel: Channel, outcomes: AsyncStream<ServerConnectionOutcome>.Iterator) {
        self.channel = channel
        self.port = channel.localAddress?.port ?? 0
        self.outcomes = outcomes
    }

    /// The outcome of the next connection to close.
    func nextOutcome() async -> ServerConnectionOutcome? {
        await outcomes.next()
    }

    func stop() async throws {
        try await channel.close()
    }
}

/// Echoes plaintext and records the TLS events of one server connection.
private final class EchoRecorder: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private let report: AsyncStream<ServerConnectionOutcome>.Continuation
    private var outcome = ServerConnectionOutcome()

    init(report: AsyncStream<ServerConnectionOutcome>.Continuation) {
        self.report = report
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if let established = event as? TLSEstablished { outcome.established = established }
        context.fireUserInboundEventTriggered(event)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let buffer = unwrapInboundIn(data)
        if outcome.established == nil { outcome.plaintextBeforeEstablished = true }
        outcome.receivedBytes += buffer.readableBytes
        context.write(wrapOutboundOut(buffer), promise: nil)
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        context.flush()
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        if outcome.error == nil, let error = error as? TLSError { outcome.error = error }
        context.close(promise: nil)
    }

    func channelInactive(context: ChannelHandlerContext) {
        report.yield(outcome)
    }
}
