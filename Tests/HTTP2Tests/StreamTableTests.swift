import NIOCore
import Testing

@testable import HTTP2

private final class NullHandler: HTTP2StreamHandler {
    func handle(_ event: HTTP2StreamEvent, streamID: HTTP2StreamID, connection: HTTP2Connection) {}
}

/// Reads what nghttp2's read callback would get for a window of `count` bytes.
private func read(_ table: inout HTTP2StreamTable, _ id: HTTP2StreamID, _ count: Int) -> (NGHTTP2DataRead, [UInt8]) {
    var bytes = [UInt8](repeating: 0, count: count)
    let result = bytes.withUnsafeMutableBytes { table.read(id, into: $0) }
    if case .bytes(let n, _) = result { return (result, Array(bytes[0..<n])) }
    return (result, [])
}

@Suite("HTTP2 stream table")
struct StreamTableTests {
    @Test("server response: headers open the body, data flows, trailers end it")
    func responseWithTrailers() {
        var table = HTTP2StreamTable(highWatermark: 100, lowWatermark: 10)
        table.open(1, handler: NullHandler())
        #expect(table.enqueue(1, ByteBuffer(string: "early"), endStream: false) == .queued)
        #expect(table.headers(1, [":status": "200"], endStream: false) == .submitHeaders(hasBody: true))
        let (first, bytes) = read(&table, 1, 3)
        #expect(first == .bytes(3, end: .continues))
        #expect(bytes == Array("ear".utf8))
        #expect(read(&table, 1, 100).0 == .bytes(2, end: .continues))
        #expect(read(&table, 1, 100).0 == .deferred)
        #expect(table.headers(1, ["grpc-status": "0"], endStream: true) == .resumeForTrailers)
        #expect(read(&table, 1, 100).0 == .bytes(0, end: .trailers(["grpc-status": "0"])))
        #expect(table.enqueue(1, ByteBuffer(string: "late"), endStream: false) == .invalid)
    }

    @Test("a header block with END_STREAM before any headers is a trailers-only response")
    func trailersOnly() {
        var table = HTTP2StreamTable(highWatermark: 100, lowWatermark: 10)
        table.open(3, handler: NullHandler())
        let action = table.headers(3, [":status": "200", "grpc-status": "12"], endStream: true)
        #expect(action == .submitHeaders(hasBody: false))
        #expect(table.headers(3, ["grpc-status": "0"], endStream: true) == .invalid)
        #expect(table.headers(5, [":status": "200"], endStream: false) == nil)
    }

    @Test("client body ends with END_STREAM on the last DATA, and resumes only when parked")
    func clientBody() {
        var table = HTTP2StreamTable(highWatermark: 100, lowWatermark: 10)
        table.open(1, handler: NullHandler())
        table.requestSubmitted(1, hasBody: true)
        #expect(read(&table, 1, 10).0 == .deferred)
        #expect(table.enqueue(1, ByteBuffer(string: "abc"), endStream: false) == .resume)
        #expect(table.enqueue(1, ByteBuffer(string: "def"), endStream: true) == .queued)
        let (result, bytes) = read(&table, 1, 10)
        #expect(result == .bytes(6, end: .endStream))
        #expect(bytes == Array("abcdef".utf8))
    }

    @Test("writable is owed once queued bytes fall below the low watermark after passing the high one")
    func watermarks() {
        var table = HTTP2StreamTable(highWatermark: 100, lowWatermark: 10)
        table.open(1, handler: NullHandler())
        table.requestSubmitted(1, hasBody: true)
        _ = table.enqueue(1, .pattern(150), endStream: false)
        #expect(table.queuedBytes(for: 1) == 150)
        _ = read(&table, 1, 100)
        #expect(table.takeWritable().isEmpty)
        _ = read(&table, 1, 45)
        #expect(table.takeWritable().map(\.0) == [1])
        #expect(table.takeWritable().isEmpty)
        #expect(table.queuedBytes(for: 1) == 5)
    }

    @Test("consumed credit never exceeds what was received, and closing returns the rest")
    func consumeCredit() {
        var table = HTTP2StreamTable(highWatermark: 100, lowWatermark: 10)
        table.open(1, handler: NullHandler())
        let chunk: [UInt8] = Array(repeating: 7, count: 40)
        let known = chunk.withUnsafeBytes { table.appendData(1, bytes: $0) }
        let unknown = chunk.withUnsafeBytes { table.appendData(9, bytes: $0) }
        #expect(known)
        #expect(!unknown)
        #expect(table.takeData(1)?.readableBytes == 40)
        #expect(table.consume(1, bytes: 25) == 25)
        #expect(table.consume(1, bytes: 25) == 15)
        chunk.withUnsafeBytes { _ = table.appendData(1, bytes: $0) }
        #expect(table.close(1)?.unconsumedBytes == 40)
        #expect(table.consume(1, bytes: 10) == 0)
        #expect(table.isEmpty)
    }

    @Test("header blocks are assembled per stream and start over after each block")
    func headerAssembly() {
        var table = HTTP2StreamTable(highWatermark: 100, lowWatermark: 10)
        table.open(1, handler: NullHandler())
        let accepted1 = table.appendHeader(1, name: ":status", value: "200")
        #expect(accepted1)
        #expect(table.takeHeaders(1) == [":status": "200"])
        let accepted2 = table.appendHeader(1, name: "grpc-status", value: "0")
        #expect(accepted2)
        #expect(table.takeHeaders(1) == ["grpc-status": "0"])
    }

    @Test("a header block larger than the advertised list size is refused")
    func headerListSizeLimit() {
        var table = HTTP2StreamTable(highWatermark: 100, lowWatermark: 10, maxHeaderListSize: 100)
        table.open(1, handler: NullHandler())
        let accepted3 = table.appendHeader(1, name: "a", value: String(repeating: "x", count: 60))
        #expect(accepted3)
        let accepted4 = table.appendHeader(1, name: "b", value: "y")
        #expect(!accepted4)
        // Each block is counted on its own.
        _ = table.takeHeaders(1)
        let accepted5 = table.appendHeader(1, name: "b", value: "y")
        #expect(accepted5)
    }
}
