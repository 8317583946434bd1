import NIOCore

@testable import HTTP2

/// A stream handler that records every event and can react to each one.
final class RecordingStreamHandler: HTTP2StreamHandler {
    var events: [HTTP2StreamEvent] = []
    /// Hands DATA back to flow control as soon as it arrives.
    var consumesData = true
    var onEvent: ((HTTP2StreamEvent, HTTP2StreamID, HTTP2Connection) -> Void)?
    var body = ByteBuffer()

    init(consumesData: Bool = true, onEvent: ((HTTP2StreamEvent, HTTP2StreamID, HTTP2Connection) -> Void)? = nil) {
        self.consumesData = consumesData
        self.onEvent = onEvent
    }

    func handle(_ event: HTTP2StreamEvent, streamID: HTTP2StreamID, connection: HTTP2Connection) {
        events.append(event)
        if case .data(var data, _) = event {
            if consumesData { connection.consume(streamID: streamID, bytes: data.readableBytes) }
            body.writeBuffer(&data)
        }
        onEvent?(event, streamID, connection)
    }

    var headerBlocks: [(HTTP2Headers, Bool)] {
        events.compactMap { if case .headers(let h, let end) = $0 { (h, end) } else { nil } }
    }
    var isClosed: Bool { if case .closed = events.last { true } else { false } }
    var closedCount: Int { events.filter { if case .closed = $0 { true } else { false } }.count }
    var resetCodes: [UInt32] { events.compactMap { if case .reset(let code) = $0 { code } else { nil } } }
    var writableCount: Int { events.filter { if case .writable = $0 { true } else { false } }.count }
    var endedStream: Bool {
        events.contains {
            switch $0 {
            case .headers(_, true), .data(_, true): true
            default: false
            }
        }
    }
}

extension ByteBuffer {
    /// `count` bytes of a repeating pattern, so reordering or loss shows up in comparisons.
    static func pattern(_ count: Int, seed: UInt8 = 0) -> ByteBuffer {
        let block = (0..<4096).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ Int(seed) &+ $0 / 251) }
        var buffer = ByteBuffer()
        buffer.reserveCapacity(count)
        var index = 0
        while buffer.readableBytes < count {
            let take = min(count - buffer.readableBytes, block.count - 1)
            buffer.writeBytes(block[0..<take])
            buffer.writeInteger(UInt8(truncatingIfNeeded: index))  // every block differs
            index += 1
        }
        buffer.moveWriterIndex(to: count)
        return buffer
    }
}
