import NIOCore
import NIOEmbedded
import Testing

@testable import HTTP2

/// A server handler in an EmbeddedChannel, driven by hand-written frames.
private final class RawServer {
    let channel = EmbeddedChannel()
    var connection: HTTP2Connection?
    var opened = 0
    /// Weak references to every stream handler, to prove none outlives its stream.
    var handlers: [WeakHandler] = []

    struct WeakHandler { weak var handler: RecordingStreamHandler? }

    init(settings: HTTP2Settings = HTTP2Settings()) throws {
        let handler = HTTP2ServerHandler(
            settings: settings,
            connectionReady: { [weak self] in self?.connection = $0 },
            makeStreamHandler: { [weak self] _, _ in
                let stream = RecordingStreamHandler()
                self?.opened += 1
                self?.handlers.append(WeakHandler(handler: stream))
                return stream
            })
        try channel.pipeline.syncOperations.addHandler(handler)
        channel.connect(to: try SocketAddress(ipAddress: "127.0.0.1", port: 1), promise: nil)
    }

    deinit {
        channel.close(promise: nil)
        channel.embeddedEventLoop.run()
    }

    /// Sends bytes as the peer and returns the frames the server wrote back.
    func send(_ bytes: ByteBuffer) throws -> [RawFrame] {
        if channel.isActive { try channel.writeInbound(bytes) }
        channel.embeddedEventLoop.run()
        var out = ByteBuffer()
        while var chunk = try channel.readOutbound(as: ByteBuffer.self) { out.writeBuffer(&chunk) }
        return RawFrame.parse(out)
    }

    func send(preface: Bool = false, _ frames: [RawFrame]) throws -> [RawFrame] {
        var bytes = ByteBuffer(bytes: preface ? RawFrame.preface : [])
        var rest = frames.bytes()
        bytes.writeBuffer(&rest)
        return try send(bytes)
    }
}

@Suite("HTTP2 server against a raw peer")
struct RawPeerTests {
    @Test("a PING is answered with a PING ACK carrying the same payload")
    func pingAnswered() throws {
        let server = try RawServer()
        let opaque: [UInt8] = [1, 2, 3, 4, 5, 6, 7, 8]
        let frames = try server.send(preface: true, [.emptySettings, .ping(opaque)])
        let ack = frames.first { $0.type == RawFrame.ping }
        #expect(ack?.flags == 0x1)
        #expect(ack?.payload == opaque)
        #expect(frames.first?.type == RawFrame.settings)  // the server's own SETTINGS go first
    }

    @Test("garbage instead of the preface gets a flushed GOAWAY and the channel closes")
    func garbagePreface() throws {
        let server = try RawServer()
        let frames = try server.send(ByteBuffer(string: "GET / HTTP/1.1\r\nHost: example\r\n\r\n"))
        let goAway = try #require(frames.first { $0.type == RawFrame.goAway })
        #expect(goAway.goAwayErrorCode == HTTP2ErrorCode.protocolError)
        #expect(!server.channel.isActive)
        #expect(server.opened == 0)
    }

    @Test("a connection-level protocol error (DATA on stream 0) gets GOAWAY and a close")
    func badFrame() throws {
        let server = try RawServer()
        _ = try server.send(preface: true, [.emptySettings])
        let frames = try server.send([RawFrame(type: RawFrame.data, flags: 0, streamID: 0, payload: [1, 2, 3])])
        let goAway = try #require(frames.first { $0.type == RawFrame.goAway })
        #expect(goAway.goAwayErrorCode == HTTP2ErrorCode.protocolError)
        #expect(!server.channel.isActive)
    }

    @Test("a rapid-reset flood of 10,000 streams is cut off with GOAWAY and leaves nothing behind")
    func rapidResetFlood() throws {
        let server = try RawServer()
        _ = try server.send(preface: true, [.emptySettings, .settingsAck])
        var streamID: UInt32 = 1
        var answers: [RawFrame] = []
        for _ in 0..<100 where server.channel.isActive {
            var frames: [RawFrame] = []
            for _ in 0..<100 {
                frames.append(.request(streamID: streamID))
                frames.append(.reset(streamID: streamID))
                streamID += 2
            }
            answers += try server.send(frames)
        }
        // nghttp2 (with Debian's CVE-2023-44487 fix) allows a burst of 1000 resets, then says GOAWAY.
        let goAway = try #require(answers.first { $0.type == RawFrame.goAway })
        #expect(goAway.goAwayErrorCode == HTTP2ErrorCode.internalError)
        #expect(!server.channel.isActive)
        #expect(server.opened >= 1000 && server.opened < 10_000)
        #expect(server.connection?.openStreamCount ?? 0 == 0)
        #expect(server.handlers.allSatisfy { $0.handler == nil })
    }

    @Test("10,000 streams opened and reset in a loop within the reset rate leave no state behind")
    func openResetLoop() throws {
        let server = try RawServer()
        _ = try server.send(preface: true, [.emptySettings, .settingsAck])
        var streamID: UInt32 = 1
        for _ in 0..<100 {
            var frames: [RawFrame] = []
            for _ in 0..<100 {
                frames.append(.request(streamID: streamID))
                streamID += 2
            }
            _ = try server.send(frames)
            #expect(server.connection?.openStreamCount == 100)
            // The server side resets them (e.g. a handler refusing work): no peer resets to rate-limit.
            for id in stride(from: Int32(streamID) - 200, to: Int32(streamID), by: 2) {
                server.connection?.reset(streamID: id, errorCode: HTTP2ErrorCode.refusedStream)
            }
            let answer = try server.send(ByteBuffer())
            #expect(answer.filter { $0.type == RawFrame.rstStream }.count == 100)
            #expect(!answer.contains { $0.type == RawFrame.goAway })
        }
        #expect(server.opened == 10_000)
        #expect(server.connection?.openStreamCount == 0)
        #expect(server.handlers.allSatisfy { $0.handler == nil })
        let frames = try server.send([.ping([9, 9, 9, 9, 9, 9, 9, 9])])
        #expect(frames.contains { $0.type == RawFrame.ping && $0.flags == 0x1 })
        #expect(server.channel.isActive)
    }

    @Test("every reset stream's handler hears reset with the peer's code, then closed")
    func resetEventsInOrder() throws {
        let server = try RawServer()
        var kept: [RecordingStreamHandler] = []
        let handler = HTTP2ServerHandler(
            settings: HTTP2Settings(),
            makeStreamHandler: { _, _ in
                let stream = RecordingStreamHandler()
                kept.append(stream)
                return stream
            })
        let channel = EmbeddedChannel()
        defer {
            channel.close(promise: nil)
            channel.embeddedEventLoop.run()
        }
        try channel.pipeline.syncOperations.addHandler(handler)
        channel.connect(to: try SocketAddress(ipAddress: "127.0.0.1", port: 1), promise: nil)
        var bytes = ByteBuffer(bytes: RawFrame.preface)
        var frames = [RawFrame.emptySettings, .request(streamID: 1), .reset(streamID: 1, errorCode: 0x2)].bytes()
        bytes.writeBuffer(&frames)
        try channel.writeInbound(bytes)
        channel.embeddedEventLoop.run()
        let stream = try #require(kept.first)
        #expect(stream.headerBlocks.count == 1)
        #expect(stream.resetCodes == [0x2])
        #expect(stream.isClosed && stream.events.count == 3)
        _ = server
    }
}
