import NIOCore
import NIOPosix
import Testing

@testable import HTTP2

/// A client call that collects the response and completes a promise when the stream closes.
private final class CollectingCall: HTTP2StreamHandler {
    struct Outcome: Sendable {
        var body: ByteBuffer
        var trailers: HTTP2Headers?
        var resets: [UInt32]
    }

    private let done: EventLoopPromise<Outcome>
    private var outcome = Outcome(body: ByteBuffer(), trailers: nil, resets: [])

    init(done: EventLoopPromise<Outcome>) { self.done = done }

    func handle(_ event: HTTP2StreamEvent, streamID: HTTP2StreamID, connection: HTTP2Connection) {
        switch event {
        case .headers(let headers, true): outcome.trailers = headers
        case .data(var data, _):
            connection.consume(streamID: streamID, bytes: data.readableBytes)
            outcome.body.writeBuffer(&data)
        case .reset(let code): outcome.resets.append(code)
        case .closed: done.succeed(outcome)
        default: break
        }
    }
}

@Suite("HTTP2 over real loopback sockets")
struct LoopbackTests {
    @Test("3 MB echoed both ways over TCP, with socket writability and flow control in play")
    func largeEchoOverTCP() async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let server = try await ServerBootstrap(group: group)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(
                        HTTP2ServerHandler(
                            settings: HTTP2Settings(), makeStreamHandler: { _, _ in echoServerStream() }))
                }
            }
            .bind(host: "127.0.0.1", port: 0).get()
        let port = try #require(server.localAddress?.port)

        let payload = ByteBuffer.pattern(3 << 20, seed: 7)
        let done = group.next().makePromise(of: CollectingCall.Outcome.self)
        let client = try await ClientBootstrap(group: group)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    let handler = HTTP2ClientHandler(
                        settings: HTTP2Settings(),
                        connectionReady: { connection in
                            let call = CollectingCall(done: done)
                            guard
                                let id = connection.startStream(
                                    ConnectedPair.requestHeaders(path: "/echo"), endStream: false, handler: call)
                            else { return done.fail(ChannelError.ioOnClosedChannel) }
                            var rest = payload
                            while let chunk = rest.readSlice(length: min(100_000, rest.readableBytes)),
                                chunk.readableBytes > 0
                            {
                                connection.sendData(streamID: id, chunk, endStream: rest.readableBytes == 0)
                            }
                        })
                    try channel.pipeline.syncOperations.addHandler(handler)
                }
            }
            .connect(host: "127.0.0.1", port: port).get()

        let outcome = try await done.futureResult.get()
        #expect(outcome.body == payload)
        #expect(outcome.trailers == ConnectedPair.okTrailers)
        #expect(outcome.resets.isEmpty)

        try await client.close()
        try await server.close()
        try await group.shutdownGracefully()
    }
}
