import NIOCore
import NIOEmbedded
import Testing

@testable import HTTP2

@Suite("HTTP2 flow control and graceful shutdown")
struct FlowControlAndShutdownTests {
    @Test("a server that does not consume stops receiving once the stream window is full")
    func backpressureFromSlowHandler() throws {
        var settings = HTTP2Settings()
        settings.initialWindowSize = 256 * 1024
        let pair = try ConnectedPair(serverSettings: settings)
        pair.makeServerStream = { _ in RecordingStreamHandler(consumesData: false) }
        let call = RecordingStreamHandler()
        let id = try #require(pair.startStream(handler: call))
        pair.clientConnection?.sendData(streamID: id, .pattern(1 << 20), endStream: true)
        try pair.exchange()

        let server = try #require(pair.serverStreams.first?.1)
        #expect(server.body.readableBytes == 256 * 1024)
        #expect(pair.clientConnection?.queuedBytes(streamID: id) == (1 << 20) - 256 * 1024)
        #expect(!server.endedStream)

        // Consuming half the window lets exactly that much more in.
        pair.serverConnection?.consume(streamID: 1, bytes: 128 * 1024)
        try pair.exchange()
        #expect(server.body.readableBytes == 256 * 1024 + 128 * 1024)

        // Consuming everything as it arrives lets the rest through.
        server.consumesData = true
        pair.serverConnection?.consume(streamID: 1, bytes: server.body.readableBytes)
        try pair.exchange()
        #expect(server.body == .pattern(1 << 20))
        #expect(server.endedStream)
    }

    @Test("unconsumed data of a reset stream does not hold the connection window")
    func resetStreamReturnsConnectionWindow() throws {
        var settings = HTTP2Settings()
        settings.initialWindowSize = 1 << 20
        settings.connectionWindowSize = 1 << 20
        let pair = try ConnectedPair(serverSettings: settings)
        pair.makeServerStream = { _ in RecordingStreamHandler(consumesData: false) }
        // Three times the connection window, one stream after another, each reset unconsumed.
        for _ in 0..<3 {
            let call = RecordingStreamHandler()
            let id = try #require(pair.startStream(handler: call))
            pair.clientConnection?.sendData(streamID: id, .pattern(1 << 20), endStream: false)
            try pair.exchange()
            #expect(pair.serverStreams.last?.1.body.readableBytes == 1 << 20)
            pair.clientConnection?.reset(streamID: id, errorCode: HTTP2ErrorCode.cancel)
            try pair.exchange()
        }
        #expect(pair.serverStreams.count == 3)
    }

    @Test("DATA still arriving after the server reset a stream does not hold the connection window")
    func dataAfterServerReset() throws {
        var settings = HTTP2Settings()
        settings.initialWindowSize = 1 << 20
        settings.connectionWindowSize = 1 << 20
        let pair = try ConnectedPair(serverSettings: settings)
        pair.makeServerStream = { _ in
            RecordingStreamHandler(consumesData: false) { event, id, connection in
                if case .data = event { connection.reset(streamID: id, errorCode: HTTP2ErrorCode.cancel) }
            }
        }
        for _ in 0..<3 {
            let call = RecordingStreamHandler()
            let id = try #require(pair.startStream(handler: call))
            pair.clientConnection?.sendData(streamID: id, .pattern(1 << 20), endStream: true)
            try pair.exchange()
            #expect(call.resetCodes == [HTTP2ErrorCode.cancel] && call.isClosed)
        }
        // A last stream still gets its whole body through the 1 MiB connection window.
        pair.makeServerStream = { _ in RecordingStreamHandler() }
        let call = RecordingStreamHandler()
        let id = try #require(pair.startStream(handler: call))
        pair.clientConnection?.sendData(streamID: id, .pattern(1 << 20), endStream: true)
        try pair.exchange()
        #expect(pair.serverStreams.last?.1.body.readableBytes == 1 << 20)
        #expect(pair.serverStreams.last?.1.endedStream == true)
    }

    @Test("graceful shutdown lets the stream in flight finish, refuses new ones, then closes")
    func gracefulShutdown() throws {
        let pair = try ConnectedPair()
        var respond: (() -> Void)?
        pair.makeServerStream = { _ in
            RecordingStreamHandler { event, id, connection in
                if case .data(_, true) = event {
                    respond = {
                        connection.sendHeaders(streamID: id, ConnectedPair.responseHeaders, endStream: false)
                        connection.sendData(streamID: id, ByteBuffer(string: "late answer"), endStream: false)
                        connection.sendHeaders(streamID: id, ConnectedPair.okTrailers, endStream: true)
                    }
                }
            }
        }
        let call = RecordingStreamHandler()
        let id = try #require(pair.startStream(handler: call))
        pair.clientConnection?.sendData(streamID: id, ByteBuffer(string: "question"), endStream: true)
        try pair.exchange()

        pair.serverConnection?.shutdownGracefully()
        try pair.exchange()
        #expect(pair.serverConnection?.isActive == false)
        #expect(pair.clientConnection?.isActive == false)
        #expect(pair.clientClosedCount == 1)
        #expect(pair.startStream(handler: RecordingStreamHandler()) == nil)
        #expect(pair.server.isActive && pair.client.isActive)

        try #require(respond != nil)
        respond?()
        try pair.exchange()
        #expect(call.body == ByteBuffer(string: "late answer"))
        #expect(call.headerBlocks.last?.0 == ConnectedPair.okTrailers)
        #expect(call.isClosed && call.resetCodes.isEmpty)
        #expect(!pair.server.isActive && !pair.client.isActive)
        #expect(pair.serverStreams.count == 1)
        #expect(pair.clientClosedCount == 1)
    }

    @Test("after the final GOAWAY the server ignores a stream the peer opens anyway")
    func newStreamAfterGoAwayIgnored() throws {
        let channel = EmbeddedChannel()
        defer {
            channel.close(promise: nil)
            channel.embeddedEventLoop.run()
        }
        var connection: HTTP2Connection?
        var opened = 0
        let handler = HTTP2ServerHandler(
            settings: HTTP2Settings(), connectionReady: { connection = $0 },
            makeStreamHandler: { _, _ in
                opened += 1
                return RecordingStreamHandler()
            })
        try channel.pipeline.syncOperations.addHandler(handler)
        channel.connect(to: try SocketAddress(ipAddress: "127.0.0.1", port: 1), promise: nil)
        var bytes = ByteBuffer(bytes: RawFrame.preface)
        var frames = [RawFrame.emptySettings, .request(streamID: 1)].bytes()
        bytes.writeBuffer(&frames)
        try channel.writeInbound(bytes)
        connection?.shutdownGracefully()
        channel.embeddedEventLoop.run()
        // The peer acknowledges the PING that follows the notice: the final GOAWAY goes out.
        var out = ByteBuffer()
        while var chunk = try channel.readOutbound(as: ByteBuffer.self) { out.writeBuffer(&chunk) }
        let ping = try #require(RawFrame.parse(out).first { $0.type == RawFrame.ping })
        let ack = RawFrame(type: RawFrame.ping, flags: 0x1, streamID: 0, payload: ping.payload)
        try channel.writeInbound([ack].bytes())
        channel.embeddedEventLoop.run()
        out.clear()
        while var chunk = try channel.readOutbound(as: ByteBuffer.self) { out.writeBuffer(&chunk) }
        let goAway = try #require(RawFrame.parse(out).first { $0.type == RawFrame.goAway })
        #expect(goAway.payload.prefix(4) == [0, 0, 0, 1])  // last stream id: the one in flight

        try channel.writeInbound([RawFrame.request(streamID: 3, endStream: true)].bytes())
        channel.embeddedEventLoop.run()
        #expect(opened == 1)
        #expect(channel.isActive)
    }

    @Test("without a PING ACK the final GOAWAY still goes out after the grace period")
    func finalGoAwayAfterGrace() throws {
        let channel = EmbeddedChannel()
        defer {
            channel.close(promise: nil)
            channel.embeddedEventLoop.run()
        }
        var connection: HTTP2Connection?
        let handler = HTTP2ServerHandler(
            settings: HTTP2Settings(), connectionReady: { connection = $0 },
            makeStreamHandler: { _, _ in RecordingStreamHandler() })
        try channel.pipeline.syncOperations.addHandler(handler)
        channel.connect(to: try SocketAddress(ipAddress: "127.0.0.1", port: 1), promise: nil)
        var bytes = ByteBuffer(bytes: RawFrame.preface)
        var frames = [RawFrame.emptySettings, .request(streamID: 1), .request(streamID: 3)].bytes()
        bytes.writeBuffer(&frames)
        try channel.writeInbound(bytes)
        connection?.shutdownGracefully()
        channel.embeddedEventLoop.run()
        var out = ByteBuffer()
        while var chunk = try channel.readOutbound(as: ByteBuffer.self) { out.writeBuffer(&chunk) }
        let notice = RawFrame.parse(out).filter { $0.type == RawFrame.goAway }
        #expect(notice.count == 1 && notice.first?.payload.prefix(4) == [0x7f, 0xff, 0xff, 0xff])

        channel.embeddedEventLoop.advanceTime(by: .milliseconds(999))
        #expect(try channel.readOutbound(as: ByteBuffer.self) == nil)
        channel.embeddedEventLoop.advanceTime(by: .milliseconds(1))
        out.clear()
        while var chunk = try channel.readOutbound(as: ByteBuffer.self) { out.writeBuffer(&chunk) }
        let goAway = try #require(RawFrame.parse(out).first { $0.type == RawFrame.goAway })
        #expect(goAway.payload.prefix(4) == [0, 0, 0, 3])
        #expect(connection?.openStreamCount == 2)
        #expect(channel.isActive)
    }

    @Test("a client hearing GOAWAY refuses the streams the server never saw and finishes the others")
    func clientHearsGoAway() throws {
        let channel = EmbeddedChannel()
        defer {
            channel.close(promise: nil)
            channel.embeddedEventLoop.run()
        }
        var connection: HTTP2Connection?
        var closedCount = 0
        let handler = HTTP2ClientHandler(
            settings: HTTP2Settings(), connectionReady: { connection = $0 }, connectionClosed: { closedCount += 1 })
        try channel.pipeline.syncOperations.addHandler(handler)
        channel.connect(to: try SocketAddress(ipAddress: "127.0.0.1", port: 1), promise: nil)
        let first = RecordingStreamHandler()
        let second = RecordingStreamHandler()
        let headers = ConnectedPair.requestHeaders(path: "/x")
        let firstID = try #require(connection?.startStream(headers, endStream: true, handler: first))
        let secondID = try #require(connection?.startStream(headers, endStream: true, handler: second))
        channel.embeddedEventLoop.run()
        while try channel.readOutbound(as: ByteBuffer.self) != nil {}

        let goAway = RawFrame(
            type: RawFrame.goAway, flags: 0, streamID: 0,
            payload: RawFrame.bigEndian(UInt32(firstID)) + RawFrame.bigEndian(HTTP2ErrorCode.noError))
        try channel.writeInbound([RawFrame.emptySettings, goAway].bytes())
        channel.embeddedEventLoop.run()
        #expect(second.resetCodes == [HTTP2ErrorCode.refusedStream] && second.isClosed)
        #expect(first.events.isEmpty)
        #expect(closedCount == 1)
        #expect(connection?.isActive == false)
        #expect(connection?.startStream(headers, endStream: true, handler: RecordingStreamHandler()) == nil)
        _ = secondID

        // The server answers the first stream with a trailers-only response: HEADERS (END_STREAM),
        // `:status 200` from the HPACK static table.
        let response = RawFrame(type: RawFrame.headers, flags: 0x5, streamID: UInt32(firstID), payload: [0x88])
        try channel.writeInbound([response].bytes())
        channel.embeddedEventLoop.run()
        #expect(first.headerBlocks.first?.0[":status"] == "200")
        #expect(first.isClosed && first.resetCodes.isEmpty)
        // Nothing left to do after GOAWAY: the client closes the connection itself.
        #expect(!channel.isActive)
        #expect(closedCount == 1)
    }

    @Test("a client shutting down gracefully finishes its call in flight, then closes")
    func clientGracefulShutdown() throws {
        let pair = try ConnectedPair()
        pair.makeServerStream = { _ in echoServerStream() }
        let call = RecordingStreamHandler()
        let id = try #require(pair.startStream(handler: call))
        pair.clientConnection?.shutdownGracefully()
        #expect(pair.clientConnection?.isActive == false)
        #expect(pair.startStream(handler: RecordingStreamHandler()) == nil)
        try pair.exchange()
        #expect(pair.client.isActive)
        pair.clientConnection?.sendData(streamID: id, ByteBuffer(string: "last words"), endStream: true)
        try pair.exchange()
        #expect(call.body == ByteBuffer(string: "last words"))
        #expect(call.isClosed && call.resetCodes.isEmpty)
        #expect(!pair.client.isActive && !pair.server.isActive)
    }
}
