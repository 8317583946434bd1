import NIOCore

/// Hand-written HTTP/2 frames, for talking to the server as a hostile or minimal peer would.
struct RawFrame: Equatable {
    static let data: UInt8 = 0x0
    static let headers: UInt8 = 0x1
    static let rstStream: UInt8 = 0x3
    static let settings: UInt8 = 0x4
    static let ping: UInt8 = 0x6
    static let goAway: UInt8 = 0x7
    static let windowUpdate: UInt8 = 0x8

    var type: UInt8
    var flags: UInt8
    var streamID: UInt32
    var payload: [UInt8]

    static let preface = Array("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".utf8)

    func write(to buffer: inout ByteBuffer) {
        buffer.writeInteger(UInt8(truncatingIfNeeded: payload.count >> 16))
        buffer.writeInteger(UInt16(truncatingIfNeeded: payload.count))
        buffer.writeInteger(type)
        buffer.writeInteger(flags)
        buffer.writeInteger(streamID & 0x7fff_ffff)
        buffer.writeBytes(payload)
    }

    /// A request HEADERS frame (END_HEADERS) in plain HPACK: `:method POST`, `:scheme http`,
    /// `:path /` (static-table entries) and `:authority localhost` (literal, not indexed).
    static func request(streamID: UInt32, endStream: Bool = false) -> RawFrame {
        RawFrame(
            type: headers, flags: 0x4 | (endStream ? 0x1 : 0), streamID: streamID,
            payload: [0x83, 0x86, 0x84, 0x01, 0x09] + Array("localhost".utf8))
    }

    static func reset(streamID: UInt32, errorCode: UInt32 = 0x8) -> RawFrame {
        RawFrame(type: rstStream, flags: 0, streamID: streamID, payload: bigEndian(errorCode))
    }

    static func ping(_ opaque: [UInt8]) -> RawFrame { RawFrame(type: ping, flags: 0, streamID: 0, payload: opaque) }

    static let emptySettings = RawFrame(type: settings, flags: 0, streamID: 0, payload: [])
    static let settingsAck = RawFrame(type: settings, flags: 0x1, streamID: 0, payload: [])

    static func bigEndian(_ value: UInt32) -> [UInt8] {
        [UInt8(value >> 24), UInt8((value >> 16) & 0xff), UInt8((value >> 8) & 0xff), UInt8(value & 0xff)]
    }

    /// Splits bytes into frames (a trailing partial frame is left out).
    static func parse(_ buffer: ByteBuffer) -> [RawFrame] {
        var buffer = buffer
        var frames: [RawFrame] = []
        while buffer.readableBytes >= 9 {
            let length =
                Int(buffer.getInteger(at: buffer.readerIndex, as: UInt8.self)!) << 16
                | Int(buffer.getInteger(at: buffer.readerIndex + 1, as: UInt16.self)!)
            guard buffer.readableBytes >= 9 + length else { break }
            buffer.moveReaderIndex(forwardBy: 3)
            let type = buffer.readInteger(as: UInt8.self)!
            let flags = buffer.readInteger(as: UInt8.self)!
            let streamID = buffer.readInteger(as: UInt32.self)! & 0x7fff_ffff
            let payload = buffer.readBytes(length: length)!
            frames.append(RawFrame(type: type, flags: flags, streamID: streamID, payload: payload))
        }
        return frames
    }

    /// The error code of a GOAWAY frame.
    var goAwayErrorCode: UInt32? {
        guard type == Self.goAway, payload.count >= 8 else { return nil }
        return payload[4..<8].reduce(0) { $0 << 8 | UInt32($1) }
    }
}

extension Array where Element == RawFrame {
    func bytes() -> ByteBuffer {
        var buffer = ByteBuffer()
        for frame in self { frame.write(to: &buffer) }
        return buffer
    }
}
