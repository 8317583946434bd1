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

    func contains(_ id: HTTP2StreamID) -> Bool { streams[id] != nil }
    func handler(for id: HTTP2StreamID) -> (any HTTP2StreamHandler)? { streams[id]?.handler }
    func queuedBytes(for id: HTTP2StreamID) -> Int { streams[id]?.outbound.queuedBytes ?? 0 }

    mutating func open(_ id: HTTP2StreamID, handler: any HTTP2StreamHandler) {
        streams[id] = HTTP2StreamState(handler: handler)
    }

    // MARK: - Inbound

    /// Adds a received field; false when the block grows past `maxHeaderListSize` (the stream
    /// must then be reset). Fields of unknown streams are ignored.
    mutating func appendHeader(_ id: HTTP2StreamID, name: String, value: String) -> Bool {
        guard streams[id] != nil else { return true }
        streams[id]!.inboundHeaderListSize += name.utf8.count + value.utf8.count + 32
        guard streams[id]!.inboundHeaderListSize <= maxHeaderListSize else { return false }
        streams[id]!.inboundHeaders.add(name: name, value: value)
        return true
    }

    /// The header block received so far, which starts a new one.
    mutating func takeHeaders(_ id: HTTP2StreamID) -> HTTP2Headers? {
        guard let headers = streams[id]?.inboundHeaders else { return nil }
        streams[id]?.inboundHeaders = HTTP2Headers()
        streams[id]?.inboundHeaderListSize = 0
        return headers
    }

    /// Copies a DATA chunk into the stream; returns false when the stream is unknown.
    mutating func appendData(_ id: HTTP2StreamID, bytes: UnsafeRawBufferPointer) -> Bool {
        guard streams[id] != nil else { return false }
        let allocator = self.allocator
        streams[id]!.unconsumedBytes += bytes.count
        if streams[id]!.inboundData == nil {
            streams[id]!.inboundData = allocator.buffer(capacity: bytes.count)
        }
        streams[id]!.inboundData!.writeBytes(bytes)
        return true
    }

    /// The payload of the DATA frame just completed (empty for an empty frame).
    mutating func takeData(_ id: HTTP2StreamID) -> ByteBuffer? {
        guard streams[id] != nil else { return nil }
        let data = streams[id]!.inboundData ?? allocator.buffer(capacity: 0)
        streams[id]!.inboundData = nil
        return data
    }

    /// Records that the layer above processed `bytes`; returns how many to give back to nghttp2
    /// (never more than were received, never for a closed stream).
    mutating func consume(_ id: HTTP2StreamID, bytes: Int) -> Int {
        guard let unconsumed = streams[id]?.unconsumedBytes, bytes > 0 else { return 0 }
        let credit = min(unconsumed, bytes)
        streams[id]!.unconsumedBytes = unconsumed - credit
        return credit
    }

    // MARK: - Outbound

    /// Marks a client request as submitted.
    mutating func requestSubmitted(_ id: HTTP2StreamID, hasBody: Bool) {
        streams[id]?.outbound.requestSubmitted(hasBody: hasBody)
    }

    /// Decides what a header block means now; nil when the stream is unknown.
    mutating func headers(
        _ id: HTTP2StreamID, _ headers: HTTP2Headers, endStream: Bool
    ) -> HTTP2OutboundState.HeadersAction? {
        guard streams[id] != nil else { return nil }
        return streams[id]!.outbound.headers(headers, endStream: endStream)
    }

    /// Queues DATA; `.resume` means nghttp2 parked the body source and must resume it.
    mutating func enqueue(
        _ id: HTTP2StreamID, _ data: ByteBuffer, endStream: Bool
    ) -> HTTP2OutboundState.DataAction? {
        guard streams[id] != nil else { return nil }
        let action = streams[id]!.outbound.enqueue(data, endStream: endStream)
        if streams[id]!.outbound.queuedBytes > highWatermark { streams[id]!.aboveHighWatermark = true }
        return action
    }

    /// nghttp2's read callback for a stream's body.
    mutating func read(_ id: HTTP2StreamID, into buffer: UnsafeMutableRawBufferPointer) -> NGHTTP2DataRead {
        guard streams[id] != nil else { return .failed }
        let result = streams[id]!.outbound.read(into: buffer)
        if streams[id]!.aboveHighWatermark, streams[id]!.outbound.queuedBytes < lowWatermark {
            streams[id]!.aboveHighWatermark = false
            owedWritable.append(id)
        }
        return result
    }

    /// Streams whose queue fell below the low watermark since the last call, with their handlers.
    mutating func takeWritable() -> [(HTTP2StreamID, any HTTP2StreamHandler)] {
        defer { owedWritable.removeAll() }
        return owedWritable.compactMap { id in streams[id].map { (id, $0.handler) } }
    }

    // MARK: - Closing

    /// Remembers that this side reset the stream; false when the stream is unknown.
    mutating func markLocallyReset(_ id: HTTP2StreamID) -> Bool {
        guard streams[id] != nil else { return false }
        streams[id]!.locallyReset = true
        return true
    }

    /// Holds a reset back until the frame with END_STREAM (last DATA or trailers) has been sent
    /// (a server that finished its response resets the unfinished request with NO_ERROR; the
    /// trailers must not be lost).
    /// Returns false when there is nothing to wait for.
    mutating func deferResetUntilBodyEnds(_ id: HTTP2StreamID, errorCode: UInt32) -> Bool {
        guard streams[id]?.outbound.isEnding == true else { return false }
        streams[id]!.resetAfterBody = errorCode
        streams[id]!.locallyReset = true
        return true
    }

    mutating func takeResetAfterBody(_ id: HTTP2StreamID) -> UInt32? {
        defer { streams[id]?.resetAfterBody = nil }
        return streams[id]?.resetAfterBody
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
