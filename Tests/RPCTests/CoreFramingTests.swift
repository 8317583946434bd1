import NIOCore
import Testing

@testable import RPC

@Suite("Length-prefixed message framing")
struct CoreFramingTests {
    private func framed(_ payloads: [[UInt8]]) -> ByteBuffer {
        var buffer = ByteBuffer()
        for payload in payloads { MessageFramer.append(payload, to: &buffer) }
        return buffer
    }

    @Test("a frame is a zero flag, a big-endian length and the bytes")
    func frameLayout() {
        let buffer = framed([[1, 2, 3]])
        #expect(Array(buffer.readableBytesView) == [0, 0, 0, 0, 3, 1, 2, 3])
    }

    @Test("a message split across chunks at every offset comes out whole", arguments: 1...12)
    func splitAcrossChunks(splitAt: Int) throws {
        let wire = framed([Array(0..<8)])
        var deframer = MessageDeframer(maxMessageSize: 100)
        var first = wire
        let head = first.readSlice(length: min(splitAt, wire.readableBytes))!
        deframer.append(head)
        if splitAt < wire.readableBytes {
            #expect(try deframer.next() == nil)
            deframer.append(first)
        }
        let message = try #require(try deframer.next())
        #expect(Array(message.payload.readableBytesView) == Array(0..<8))
        #expect(message.wireLength == 13)
        #expect(try deframer.next() == nil)
        try deframer.finish()
    }

    @Test("several messages in one chunk come out in order, including empty ones")
    func severalPerChunk() throws {
        var deframer = MessageDeframer(maxMessageSize: 100)
        deframer.append(framed([[1], [], [2, 2], [3, 3, 3]]))
        var got: [[UInt8]] = []
        while let message = try deframer.next() { got.append(Array(message.payload.readableBytesView)) }
        #expect(got == [[1], [], [2, 2], [3, 3, 3]])
        #expect(deframer.bufferedBytes == 0)
    }

    @Test("one byte at a time still yields every message")
    func byteByByte() throws {
        let wire = framed([[9, 8, 7], [6]])
        var deframer = MessageDeframer(maxMessageSize: 100)
        var got: [[UInt8]] = []
        for byte in wire.readableBytesView {
            deframer.append(ByteBuffer(bytes: [byte]))
            while let message = try deframer.next() { got.append(Array(message.payload.readableBytesView)) }
        }
        #expect(got == [[9, 8, 7], [6]])
    }

    @Test("a length over the limit is RESOURCE_EXHAUSTED before the body arrives")
    func oversized() {
        var deframer = MessageDeframer(maxMessageSize: 4 * 1024 * 1024)
        var prefix = ByteBuffer()
        prefix.writeInteger(UInt8(0))
        prefix.writeInteger(UInt32(100 * 1024 * 1024))
        deframer.append(prefix)
        #expect(throws: RPCError.self) { try deframer.next() }
        do {
            _ = try deframer.next()
        } catch {
            #expect(error.code == .resourceExhausted)
            #expect(error.message.contains("104857600"))
        }
    }

    @Test("the compressed flag is reported; other flag values are INTERNAL")
    func compressedFlag() throws {
        var wire = ByteBuffer()
        MessageFramer.append([1, 2], compressed: true, to: &wire)
        var deframer = MessageDeframer(maxMessageSize: 10)
        deframer.append(wire)
        #expect(try deframer.next()?.compressed == true)

        var bad = ByteBuffer(bytes: [7, 0, 0, 0, 0])
        var other = MessageDeframer(maxMessageSize: 10)
        other.append(bad)
        bad.clear()
        do {
            _ = try other.next()
            Issue.record("flag 7 was accepted")
        } catch {
            #expect(error.code == .internal)
        }
    }

    @Test("END_STREAM inside a message is INTERNAL")
    func truncated() throws {
        var wire = framed([[1, 2, 3, 4]])
        wire.moveWriterIndex(to: wire.writerIndex - 2)
        var deframer = MessageDeframer(maxMessageSize: 10)
        deframer.append(wire)
        #expect(try deframer.next() == nil)
        do {
            try deframer.finish()
            Issue.record("a truncated message was accepted")
        } catch {
            #expect(error.code == .internal)
        }
    }

    @Test("gzip round-trips and a bomb stops at the limit")
    func gzip() throws {
        let original = ByteBuffer(bytes: Array(repeating: UInt8(ascii: "a"), count: 100_000))
        let compressed = try Gzip.compress(original)
        #expect(compressed.readableBytes < 1_000)
        #expect(try Gzip.decompress(compressed, limit: 100_000) == original)
        do {
            _ = try Gzip.decompress(compressed, limit: 50_000)
            Issue.record("decompressed past the limit")
        } catch {
            #expect(error.code == .resourceExhausted)
        }
        do {
            _ = try Gzip.decompress(ByteBuffer(bytes: [1, 2, 3, 4]), limit: 100)
            Issue.record("garbage decompressed")
        } catch {
            #expect(error.code == .internal)
        }
    }
}
