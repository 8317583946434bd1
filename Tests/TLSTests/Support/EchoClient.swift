import NIOCore
import NIOPosix
import TLS

/// What a client saw: the handshake event, the bytes echoed back, and any error.
struct ClientOutcome: Sendable {
    var established: TLSEstablished?
    var error: TLSError?
    var received: ByteBuffer
}

/// A real TLS client: connects, writes `payload` at once (before the handshake finishes, so the
/// handler must buffer it), and waits until as many bytes came back or the connection ended.
enum EchoClient {
    static func exchange(
        _ payload: ByteBuffer, port: Int, context: TLSContext, serverName: String = "localhost"
    ) async throws -> ClientOutcome {
        let group = MultiThreadedEventLoopGroup.singleton
        let done = group.any().makePromise(of: ClientOutcome.self)
        let expected = payload.readableBytes
        let channel = try await ClientBootstrap(group: group)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandlers(
                        TLSHandler(context: context, serverName: serverName),
                        ClientRecorder(expectedBytes: expected, done: done))
                }
            }
            .connect(host: "127.0.0.1", port: port).get()
        channel.writeAndFlush(payload, promise: nil)
        let outcome = try await done.futureResult.get()
        try? await channel.close()
        return outcome
    }
}

private final class ClientRecorder: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer

    private let expectedBytes: Int
    private let done: EventLoopPromise<ClientOutcome>
    private var outcome = ClientOutcome(received: ByteBuffer())

    init(expectedBytes: Int, done: EventLoopPromise<ClientOutcome>) {
        self.expectedBytes = expectedBytes
        self.done = done
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if let established = event as? TLSEstablished { outcome.established = established }
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var buffer = unwrapInboundIn(data)
        outcome.received.writeBuffer(&buffer)
        if outcome.received.readableBytes >= expectedBytes { done.succeed(outcome) }
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        if outcome.error == nil, let error = error as? TLSError { outcome.error = error }
    }

    func channelInactive(context: ChannelHandlerContext) {
        done.succeed(outcome)
    }
}
