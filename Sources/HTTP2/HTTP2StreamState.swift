import NIOCore

/// The outbound half of one stream: which header blocks went out and the DATA still queued.
///
/// Exists so the rules of "headers, then data, then trailers or END_STREAM" live in one plain
/// value that decides what to submit to nghttp2 and can be tested without a session.
struct HTTP2OutboundState {
    enum Phase: Equatable {
        /// No header block submitted yet (server before its response; never on the client).
        case idle
        /// Headers submitted with a body source: DATA flows as it is queued.
        case open
        /// Headers submitted with END_STREAM (trailers-only), or the body has ended.
        case ended
    }

    /// What the connection must do with nghttp2 for a header block.
    enum HeadersAction: Equatable {
        /// Submit response headers; with a body source unless the response is trailers-only.
        case submitHeaders(hasBody: Bool)
        /// Trailers were stored; resume the parked body source so it can finish with them.
        case resumeForTrailers
        /// Trailers were stored; the body source is active and will pick them up.
        case trailersQueued
        /// The block is not allowed now (e.g. after the stream ended).
        case invalid
    }

    /// What the connection must do with nghttp2 after DATA was queued.
    enum DataAction: Equatable {
        /// Queued; resume the parked body source.
        case resume
        /// Queued; the body source is active, or does not exist yet (no headers submitted).
        case queued
        case invalid
    }

    private(set) var phase: Phase = .idle

    /// The body's end (END_STREAM or trailers) is decided but not yet handed to nghttp2.
    var isEnding: Bool { phase == .open && (endRequested || trailers != nil) }
    private var queue = CircularBuffer<ByteBuffer>()
    private(set) var queuedBytes = 0
    /// The last queued DATA ends the stream.
    private(set) var endRequested = false
    private(set) var trailers: HTTP2Headers?
    /// nghttp2 parked the body source (it returned DEFERRED); a `resume` is needed.
    private(set) var isDeferred = false

    /// The request was submitted by the client: the body source exists or the stream already ended.
    mutating func requestSubmitted(hasBody: Bool) { phase = hasBody ? .open : .ended }

    mutating func headers(_ headers: HTTP2Headers, endStream: Bool) -> HeadersAction {
        switch (phase, endStream) {
        case (.idle, false):
            phase = .open
            return .submitHeaders(hasBody: true)
        case (.idle, true) where queuedBytes == 0 && !endRequested:
            phase = .ended
            return .submitHeaders(hasBody: false)
        case (.open, true) where trailers == nil && !endRequested:
            trailers = headers
            return takeResume() ? .resumeForTrailers : .trailersQueued
        default:
            return .invalid
        }
    }

    mutating func enqueue(_ data: ByteBuffer, endStream: Bool) -> DataAction {
        guard phase != .ended, !endRequested, trailers == nil else { return .invalid }
        if data.readableBytes > 0 {
            queue.append(data)
            queuedBytes += data.readableBytes
        }
        endRequested = endStream
        return phase == .open && takeResume() ? .resume : .queued
    }

    /// The read callback: copies queued bytes into `buffer` and says whether the body ends.
    mutating func read(into buffer: UnsafeMutableRawBufferPointer) -> NGHTTP2DataRead {
        guard phase == .open else { return .failed }
        var copied = 0
        while copied < buffer.count, var head = queue.first {
            let count = min(buffer.count - copied, head.readableBytes)
            head.withUnsafeReadableBytes { bytes in
                UnsafeMutableRawBufferPointer(rebasing: buffer[copied..<(copied + count)])
                    .copyMemory(from: UnsafeRawBufferPointer(rebasing: bytes[0..<count]))
            }
            head.moveReaderIndex(forwardBy: count)
            copied += count
            if head.readableBytes == 0 { queue.removeFirst() } else { queue[queue.startIndex] = head }
        }
        queuedBytes -= copied
        if queuedBytes == 0 {
            if endRequested {
                phase = .ended
                return .bytes(copied, end: .endStream)
            }
            if let trailers {
                phase = .ended
                return .bytes(copied, end: .trailers(trailers))
            }
        }
        if copied == 0 {
            isDeferred = true
            return .deferred
        }
        return .bytes(copied, end: .continues)
    }

    /// Returns whether nghttp2 must be told to resume the body source, and forgets the deferral.
    private mutating func takeResume() -> Bool {
        defer { isDeferred = false }
        return isDeferred
    }
}

/// Everything the connection knows about one open stream.
///
/// Exists so the stream table can hold handler, inbound assembly, flow-control credit and the
/// outbound queue together, and drop all of it at once when nghttp2 closes the stream.
struct HTTP2StreamState {
    var handler: any HTTP2StreamHandler
    /// Fields of the header block being received.
    var inboundHeaders = HTTP2Headers()
    /// Size of that block as SETTINGS_MAX_HEADER_LIST_SIZE counts it (name + value + 32 per field).
    var inboundHeaderListSize = 0
    /// Payload of the DATA frame being received.
    var inboundData: ByteBuffer?
    /// Received DATA bytes the layer above has not consumed yet (they hold receive window).
    var unconsumedBytes = 0
    var outbound = HTTP2OutboundState()
    /// Queued bytes went above the high watermark; `.writable` is owed when they fall below the low one.
    var aboveHighWatermark = false
    /// This side reset the stream: the handler already knows, so no `.reset` is delivered.
    var locallyReset = false
    /// A NO_ERROR reset asked for while the body was still ending: sent right after its end.
    var resetAfterBody: UInt32?

    init(handler: any HTTP2StreamHandler) { self.handler = handler }
}
