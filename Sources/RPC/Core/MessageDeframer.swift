import NIOCore

/// Reads gRPC's length-prefixed messages out of a stream of DATA chunks.
///
/// Exists because HTTP/2 frames and gRPC messages do not line up: one message may span many
/// chunks and one chunk may hold many messages. Enforces the receive size limit from the prefix,
/// before buffering the message, so a peer claiming 100 MB costs nothing.
public struct MessageDeframer {
    /// One message as it was on the wire.
    public struct Message {
        /// The compressed flag was 1: `payload` is in the call's `grpc-encoding`.
        public var compressed: Bool
        public var payload: ByteBuffer
        /// Prefix plus payload: the flow-control bytes this message took.
        public var wireLength: Int { MessageFramer.prefixLength + payload.readableBytes }
    }

    /// Larger messages fail with RESOURCE_EXHAUSTED.
    public let maxMessageSize: Int
    private var buffer: ByteBuffer?

    public init(maxMessageSize: Int) {
        self.maxMessageSize = maxMessageSize
    }

    /// Bytes received but not yet returned as a message.
    public var bufferedBytes: Int { buffer?.readableBytes ?? 0 }

    /// Adds a DATA chunk.
    public mutating func append(_ chunk: ByteBuffer) {
        guard chunk.readableBytes > 0 else { return }
        if var existing = buffer, existing.readableBytes > 0 {
            buffer = nil  // keep the storage uniquely referenced while appending
            existing.discardReadBytes()
            var chunk = chunk
            existing.writeBuffer(&chunk)
            buffer = existing
        } else {
            buffer = chunk
        }
    }

    /// The next whole message, or nil until more bytes arrive.
    /// - Throws: `RPCError` RESOURCE_EXHAUSTED for a length over the limit, INTERNAL for a
    ///   compressed flag other than 0 or 1.
    public mutating func next() throws(RPCError) -> Message? {
        guard var current = buffer, current.readableBytes >= MessageFramer.prefixLength else { return nil }
        let start = current.readerIndex
        guard let flag = current.getInteger(at: start, as: UInt8.self),
            let length = current.getInteger(at: start + 1, as: UInt32.self)
        else { return nil }
        guard flag <= 1 else {
            throw RPCError(code: .internal, message: "invalid gRPC message prefix: compressed flag \(flag)")
        }
        guard length <= maxMessageSize else {
            throw RPCError(
                code: .resourceExhausted,
                message: "received message larger than max (\(length) vs. \(maxMessageSize))")
        }
        let total = MessageFramer.prefixLength + Int(length)
        guard current.readableBytes >= total else { return nil }
        buffer = nil
        current.moveReaderIndex(forwardBy: MessageFramer.prefixLength)
        let payload = current.readSlice(length: Int(length))!
        buffer = current.readableBytes > 0 ? current : nil
        return Message(compressed: flag == 1, payload: payload)
    }

    /// Call at END_STREAM: throws if a message was cut short.
    public func finish() throws(RPCError) {
        let left = bufferedBytes
        guard left == 0 else {
            throw RPCError(
                code: .internal,
                message: "stream ended in the middle of a message (\(left) bytes of an incomplete message)")
        }
    }
}
