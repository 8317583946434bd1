import NIOCore
import NIOEmbedded
import Testing

@testable import HTTP2

@Suite("HTTP2 client and server over one connection")
struct ConnectionTests {
    @Test("a request with data gets response headers, the echoed data and trailers")
    func requestResponseWithTrailers() throws {
        let pair = try ConnectedPair()
        pair.makeServerStream = { _ in echoServerStream() }
        let call = RecordingStreamHandler()
        let id = try #require(pair.startStream(handler: call))
        pair.clientConnection?.sendData(streamID: id, ByteBuffer(string: "hello"), endStream: true)
        try pair.exchange()

        let server = try #require(pair.serverStreams.first?.1)
        #expect(server.headerBlocks.first?.0[":path"] == "/pkg.Service/Method")
        #expect(server.headerBlocks.first?.0["te"] == "trailers")
        #expect(server.body == ByteBuffer(string: "hello"))
        #expect(server.isClosed)

        #expect(call.headerBlocks.count == 2)
        #expect(call.headerBlocks.first?.0[":status"] == "200")
        #expect(call.headerBlocks.first?.1 == false)
        #expect(call.headerBlocks.last?.0 == ConnectedPair.okTrailers)
        #expect(call.headerBlocks.last?.1 == true)
        #expect(call.body == ByteBuffer(string: "hello"))
        #expect(call.isClosed && call.closedCount == 1 && call.resetCodes.isEmpty)
        #expect(pair.clientConnection?.openStreamCount == 0)
        #expect(pair.serverConnection?.openStreamCount == 0)
    }

    @Test("client trailers after DATA reach the server as headers with endStream")
    func clientTrailers() throws {
        let pair = try ConnectedPair()
        let call = RecordingStreamHandler()
        let id = try #require(pair.startStream(handler: call))
        pair.clientConnection?.sendData(streamID: id, ByteBuffer(string: "x"), endStream: false)
        pair.clientConnection?.sendHeaders(streamID: id, ["x-checksum": "1"], endStream: true)
        try pair.exchange()
        let server = try #require(pair.serverStreams.first?.1)
        #expect(server.headerBlocks.count == 2)
        #expect(server.headerBlocks.last?.0 == ["x-checksum": "1"])
        #expect(server.headerBlocks.last?.1 == true)
    }

    @Test("a trailers-only response is one header block that ends the stream")
    func trailersOnly() throws {
        let pair = try ConnectedPair()
        pair.makeServerStream = { _ in
            RecordingStreamHandler { event, id, connection in
                if case .headers = event {
                    connection.sendHeaders(
                        streamID: id, [":status": "200", "content-type": "application/grpc", "grpc-status": "12"],
                        endStream: true)
                }
            }
        }
        let call = RecordingStreamHandler()
        _ = try #require(pair.startStream(endStream: true, handler: call))
        try pair.exchange()
        #expect(call.headerBlocks.count == 1)
        #expect(call.headerBlocks.first?.0["grpc-status"] == "12")
        #expect(call.headerBlocks.first?.1 == true)
        #expect(call.isClosed && call.resetCodes.isEmpty)
    }

    @Test("3 MB each way flows through stream and connection windows as the handlers consume")
    func largeBodies() throws {
        let pair = try ConnectedPair()
        pair.makeServerStream = { _ in echoServerStream() }
        let call = RecordingStreamHandler()
        let id = try #require(pair.startStream(handler: call))
        let payload = ByteBuffer.pattern(3 << 20)
        var rest = payload
        while let chunk = rest.readSlice(length: min(64 * 1024, rest.readableBytes)), chunk.readableBytes > 0 {
            pair.clientConnection?.sendData(streamID: id, chunk, endStream: rest.readableBytes == 0)
        }
        #expect(pair.clientConnection?.queuedBytes(streamID: id) == 3 << 20)
        try pair.exchange()
        #expect(pair.serverStreams.first?.1.body == payload)
        #expect(call.body == payload)
        #expect(call.headerBlocks.last?.0 == ConnectedPair.okTrailers)
        #expect(call.isClosed)
        // The client queued far more than the high watermark, so it heard `.writable` once drained.
        #expect(call.writableCount == 1)
        #expect(pair.clientConnection?.queuedBytes(streamID: id) == 0)
    }

    @Test("300 concurrent streams over a limit of 100 all complete")
    func manyConcurrentStreams() throws {
        var settings = HTTP2Settings()
        settings.maxConcurrentStreams = 100
        let pair = try ConnectedPair(serverSettings: settings)
        pair.makeServerStream = { _ in echoServerStream() }
        var calls: [(HTTP2StreamID, RecordingStreamHandler)] = []
        for i in 0..<300 {
            let call = RecordingStreamHandler()
            let id = try #require(pair.startStream(handler: call))
            pair.clientConnection?.sendData(streamID: id, ByteBuffer(string: "message \(i)"), endStream: true)
            calls.append((id, call))
        }
        try pair.exchange()
        #expect(pair.serverStreams.count == 300)
        for (i, (_, call)) in calls.enumerated() {
            #expect(call.body == ByteBuffer(string: "message \(i)"))
            #expect(call.isClosed && call.resetCodes.isEmpty)
        }
        #expect(pair.serverConnection?.openStreamCount == 0)
    }

    @Test("a reset from the client reaches the server as reset then closed")
    func clientReset() throws {
        let pair = try ConnectedPair()
        let call = RecordingStreamHandler()
        let id = try #require(pair.startStream(handler: call))
        pair.clientConnection?.sendData(streamID: id, ByteBuffer(string: "partial"), endStream: false)
        try pair.exchange()
        let server = try #require(pair.serverStreams.first?.1)
        #expect(!server.isClosed)
        pair.clientConnection?.reset(streamID: id, errorCode: HTTP2ErrorCode.cancel)
        try pair.exchange()
        #expect(server.resetCodes == [HTTP2ErrorCode.cancel])
        #expect(server.isClosed && server.closedCount == 1)
        // The client chose the reset: it hears only `.closed`.
        #expect(call.resetCodes.isEmpty && call.isClosed)
        #expect(pair.serverConnection?.openStreamCount == 0)
        #expect(pair.serverConnection?.isActive == true)
    }

    @Test("headers nghttp2 would reject reset the stream on both sides instead of crashing")
    func invalidResponseHeaders() throws {
        let pair = try ConnectedPair()
        pair.makeServerStream = { _ in
            RecordingStreamHandler { event, id, connection in
                if case .headers = event {
                    connection.sendHeaders(streamID: id, [":status": "200", "bad name": "x\r\ny"], endStream: false)
                }
            }
        }
        let call = RecordingStreamHandler()
        _ = try #require(pair.startStream(endStream: true, handler: call))
        try pair.exchange()
        let server = try #require(pair.serverStreams.first?.1)
        #expect(server.resetCodes == [HTTP2ErrorCode.internalError])
        #expect(server.isClosed)
        #expect(call.resetCodes == [HTTP2ErrorCode.internalError])
        #expect(call.isClosed)
        #expect(pair.clientConnection?.isActive == true)
    }

    @Test("the server closing the connection resets the client's streams and reports it closed")
    func connectionLoss() throws {
        let pair = try ConnectedPair()
        let call = RecordingStreamHandler()
        _ = try #require(pair.startStream(handler: call))
        try pair.exchange()
        pair.server.close(promise: nil)
        try pair.exchange()
        #expect(call.resetCodes == [HTTP2ErrorCode.cancel])
        #expect(call.isClosed)
        #expect(pair.clientClosedCount == 1)
        #expect(pair.clientConnection?.isActive == false)
        #expect(pair.serverStreams.first?.1.isClosed == true)
    }

    @Test("a request header block over the server's limit resets the stream with ENHANCE_YOUR_CALM")
    func oversizedHeaders() throws {
        var settings = HTTP2Settings()
        settings.maxHeaderListSize = 4096
        let pair = try ConnectedPair(serverSettings: settings)
        var headers = ConnectedPair.requestHeaders(path: "/big")
        headers.add(name: "x-big", value: String(repeating: "v", count: 8192))
        let call = RecordingStreamHandler()
        _ = try #require(pair.clientConnection?.startStream(headers, endStream: true, handler: call))
        try pair.exchange()
        #expect(call.resetCodes == [HTTP2ErrorCode.enhanceYourCalm])
        #expect(call.isClosed)
        let server = try #require(pair.serverStreams.first?.1)
        #expect(server.headerBlocks.isEmpty)
        #expect(server.resetCodes == [HTTP2ErrorCode.enhanceYourCalm] && server.isClosed)
        #expect(pair.serverConnection?.isActive == true)
    }

    @Test("while the socket is not writable nothing is written; writability resumes the response")
    func socketBackpressure() throws {
        let pair = try ConnectedPair()
        pair.makeServerStream = { _ in echoServerStream() }
        let call = RecordingStreamHandler()
        let id = try #require(pair.startStream(handler: call))
        let before = pair.bytesToClient
        pair.server.isWritable = false
        pair.server.pipeline.fireChannelWritabilityChanged()
        pair.clientConnection?.sendData(streamID: id, .pattern(100_000), endStream: true)
        try pair.exchange()
        #expect(pair.serverStreams.first?.1.body.readableBytes == 100_000)
        #expect(pair.bytesToClient == before)
        #expect(call.events.isEmpty)

        pair.server.isWritable = true
        pair.server.pipeline.fireChannelWritabilityChanged()
        try pair.exchange()
        #expect(call.body == .pattern(100_000))
        #expect(call.isClosed && call.resetCodes.isEmpty)
    }

    @Test("a NO_ERROR reset right after the trailers goes out after them, so the client gets the whole response")
    func resetAfterTrailers() throws {
        let pair = try ConnectedPair()
        pair.makeServerStream = { _ in
            RecordingStreamHandler { event, id, connection in
                guard case .data = event else { return }
                connection.sendHeaders(streamID: id, ConnectedPair.responseHeaders, endStream: false)
                connection.sendData(streamID: id, ByteBuffer(string: "early answer"), endStream: false)
                connection.sendHeaders(streamID: id, ConnectedPair.okTrailers, endStream: true)
                connection.reset(streamID: id, errorCode: HTTP2ErrorCode.noError)
            }
        }
        let call = RecordingStreamHandler()
        let id = try #require(pair.startStream(handler: call))
        pair.clientConnection?.sendData(streamID: id, ByteBuffer(string: "more to come"), endStream: false)
        try pair.exchange()
        #expect(call.body == ByteBuffer(string: "early answer"))
        #expect(call.headerBlocks.last?.0 == ConnectedPair.okTrailers)
        #expect(call.isClosed && call.resetCodes.isEmpty)
        #expect(pair.serverStreams.first?.1.isClosed == true)
        #expect(pair.serverConnection?.openStreamCount == 0)
        #expect(pair.clientConnection?.openStreamCount == 0)
    }

    @Test("a streaming server that waits for .writable above the high watermark sends everything in order")
    func writableDrivenProducer() throws {
        var settings = HTTP2Settings()
        settings.streamHighWatermark = 64 * 1024
        settings.streamLowWatermark = 16 * 1024
        settings.initialWindowSize = 32 * 1024
        let pair = try ConnectedPair(serverSettings: settings, clientSettings: settings)
        let total = 1 << 20
        let payload = ByteBuffer.pattern(total, seed: 3)
        var highestQueued = 0
        pair.makeServerStream = { _ in
            var rest = payload
            var headersSent = false
            return RecordingStreamHandler { event, id, connection in
                switch event {
                case .headers where !headersSent:
                    headersSent = true
                    connection.sendHeaders(streamID: id, ConnectedPair.responseHeaders, endStream: false)
                    fallthrough
                case .writable:
                    // Produce until above the high watermark, then wait for `.writable`.
                    while connection.queuedBytes(streamID: id) <= 64 * 1024,
                        let chunk = rest.readSlice(length: min(8 * 1024, rest.readableBytes)), chunk.readableBytes > 0
                    {
                        connection.sendData(streamID: id, chunk, endStream: false)
                        highestQueued = max(highestQueued, connection.queuedBytes(streamID: id))
                    }
                    if rest.readableBytes == 0 {
                        connection.sendHeaders(streamID: id, ConnectedPair.okTrailers, endStream: true)
                    }
                default:
                    break
                }
            }
        }
        let call = RecordingStreamHandler()
        _ = try #require(pair.startStream(endStream: true, handler: call))
        try pair.exchange()
        let server = try #require(pair.serverStreams.first?.1)
        #expect(call.body == payload)
        #expect(call.headerBlocks.last?.0 == ConnectedPair.okTrailers)
        #expect(server.writableCount > 1)
        #expect(highestQueued <= 64 * 1024 + 8 * 1024)
    }
}
