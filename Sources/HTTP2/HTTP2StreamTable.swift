import NIOCore

/// The open streams of one connection, keyed by stream id.
///
/// Exists so per-stream bookkeeping (inbound assembly, receive credit, outbound queues and
/// watermarks) is a plain value driven by the connection core and tested without a channel.
/// A stream's entry is created when it opens and removed when nghttp2 closes it, so a peer that
/// opens and resets streams in a loop leaves nothing behind.
struct HTTP2StreamTable {
    private var streams: [HTTP2StreamID: HTTP2StreamState] = [:]
    private var owedWritable: [HTTP2StreamID] = []
    private let allocator = ByteBufferAllocator()
    let highWatermark: Int
    let lowWatermark: Int
    /// The largest header block accepted from the peer (our SETTINGS_MAX_HEADER_LIST_SIZE).
    let maxHeaderListSize: Int

    init(highWatermark: Int, lowWatermark: Int, maxHeaderListSize: Int = 16_384) {
        self.highWatermark = highWatermark
        self.lowWatermark = min(lowWatermark, highWatermark)
        self.maxHeaderListSize = maxHeaderListSize
    }

    var count: Int { streams.count }
    var isEmpty: Bool { streams.isEmpty }

    func contains(_ id: HTTP2StreamID) -> Bool { streams.index(forKey: id) != nil }

    func handler(for id: HTTP2StreamID) -> (any HTTP2StreamHandler)? {
        guard let index = streams.index(forKey: id) else { return nil }
        return streams.values[index].handler
    }

    func queuedBytes(for id: HTTP2StreamID) -> Int {
        guard let index = streams.index(forKey: id) else { return 0 }
        return streams.values[index].outbound.queuedBytes
    }

    /// Runs `body` on a stream's state in place (one hash lookup, no copy of the state, which
    /// holds references whose retain/release showed high in profiles); nil for an unknown stream.
    private mutating func withStream<R>(_ id: HTTP2StreamID, _ body: (inout HTTP2StreamState) -> R) -> R? {
        guard let index = streams.index(forKey: id) else { return nil }
        return body(&streams.values[index])
    }

    mutating func open(_ id: HTTP2StreamID, handler: any HTTP2StreamHandler) {
        streams[id] = HTTP2StreamState(handler: handler)
    }

    // MARK: - Inbound

    /// Adds a received field; false when the block grows past `maxHeaderListSize` (the stream
    /// must then be reset). Fields of unknown streams are ignored.
    mutating func appendHeader(_ id: HTTP2StreamID, name: String, value: String) -> Bool {
        let limit = maxHeaderListSize
        return withStream(id) { stream in
            stream.inboundHeaderListSize += name.utf8.count + value.utf8.count + 32
            guard stream.inboundHeaderListSize <= limit else { return false }
            stream.inboundHeaders.add(name: name, value: value)
            return true
        } ?? true
    }

    /// The header block received so far, which starts a new one.
    mutating func takeHeaders(_ id: HTTP2StreamID) -> HTTP2Headers? {
        withStream(id) { stream in
            let headers = stream.inboundHeaders
            stream.inboundHeaders = HTTP2Headers()
            stream.inboundHeaderListSize = 0
            return headers
        }
    }

    /// Copies a DATA chunk into the stream; returns false when the stream is unknown.
    mutating func appendData(_ id: HTTP2StreamID, bytes: UnsafeRawBufferPointer) -> Bool {
        let allocator = self.allocator
        return withStream(id) { stream in
            stream.unconsumedBytes += bytes.count
            if stream.inboundData == nil {
                stream.inboundData = allocator.buffer(capacity: bytes.count)
            }
            stream.inboundData!.writeBytes(bytes)
            return true
        } ?? false
    }

    /// The payload of the DATA frame just completed (empty for an empty frame).
    mutating func takeData(_ id: HTTP2StreamID) -> ByteBuffer? {
        let allocator = self.allocator
        return withStream(id) { stream in
            let data = stream.inboundData ?? allocator.buffer(capacity: 0)
            stream.inboundData = nil
            return data
        }
    }

    /// Records that the layer above processed `bytes`; returns how many to give back to nghttp2
    /// (never more than were received, never for a closed stream).
    mutating func consume(_ id: HTTP2StreamID, bytes: Int) -> Int {
        guard bytes > 0 else { return 0 }
        return withStream(id) { stream in
            let credit = min(stream.unconsumedBytes, bytes)
            stream.unconsumedBytes -= credit
            return credit
        } ?? 0
    }

    // MARK: - Outbound

    /// Marks a client request as submitted.
    mutating func requestSubmitted(_ id: HTTP2StreamID, hasBody: Bool) {
        withStream(id) { $0.outbound.requestSubmitted(hasBody: hasBody) }
    }

    /// Decides what a header block means now; nil when the stream is unknown.
    mutating func headers(
        _ id: HTTP2StreamID, _ headers: HTTP2Headers, endStream: Bool
    ) -> HTTP2OutboundState.HeadersAction? {
        withStream(id) { $0.outbound.headers(headers, endStream: endStream) }
    }

    /// Queues DATA; `.resume` means nghttp2 parked the body source and must resume it.
    mutating func enqueue(
        _ id: HTTP2StreamID, _ data: ByteBuffer, endStream: Bool
    ) -> HTTP2OutboundState.DataAction? {
        let highWatermark = self.highWatermark
        return withStream(id) { stream in
            let action = stream.outbound.enqueue(data, endStream: endStream)
            if stream.outbound.queuedBytes > highWatermark { stream.aboveHighWatermark = true }
            return action
        }
    }

    /// nghttp2's read callback for a stream's body.
    mutating func read(_ id: HTTP2StreamID, into buffer: UnsafeMutableRawBufferPointer) -> NGHTTP2DataRead {
        let lowWatermark = self.lowWatermark
        var owed = false
        let result = withStream(id) { stream in
            let result = stream.outbound.read(into: buffer)
            if stream.aboveHighWatermark, stream.outbound.queuedBytes < lowWatermark {
                stream.aboveHighWatermark = false
                owed = true
            }
            return result
        }
        if owed { owedWritable.append(id) }
        return result ?? .failed
    }

    /// Streams whose queue fell below the low watermark since the last call, with their handlers.
    mutating func takeWritable() -> [(HTTP2StreamID, any HTTP2StreamHandler)] {
        defer { owedWritable.removeAll() }
        return owedWritable.compactMap { id in handler(for: id).map { (id, $0) } }
    }

    // MARK: - Closing

    /// Remembers that this side reset the stream; false when the stream is unknown.
    mutating func markLocallyReset(_ id: HTTP2StreamID) -> Bool {
        withStream(id) { $0.locallyReset = true } != nil
    }

    /// Holds a reset back until the frame with END_STREAM (last DATA or trailers) has been sent
    /// (a server that finished its response resets the unfinished request with NO_ERROR; the
    /// trailers must not be lost).
    /// Returns false when there is nothing to wait for.
    mutating func deferResetUntilBodyEnds(_ id: HTTP2StreamID, errorCode: UInt32) -> Bool {
        withStream(id) { stream in
            guard stream.outbound.isEnding else { return false }
            stream.resetAfterBody = errorCode
            stream.locallyReset = true
            return true
        } ?? false
    }

    mutating func takeResetAfterBody(_ id: HTTP2StreamID) -> UInt32? {
        withStream(id) { stream in
            defer { stream.resetAfterBody = nil }
            return stream.resetAfterBody
        } ?? nil
    }

    /// Drops a stream's state and returns it (nil if it was not open).
    mutating func close(_ id: HTTP2StreamID) -> HTTP2StreamState? {
        streams.removeValue(forKey: id)
    }

    /// Drops every stream (the connection is gone), in stream id order.
    mutating func closeAll() -> [(HTTP2StreamID, HTTP2StreamState)] {
        defer { streams.removeAll() }
        return streams.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
    }
}
