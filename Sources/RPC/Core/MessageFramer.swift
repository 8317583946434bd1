import NIOCore
import SwiftProtobuf

/// Writes gRPC's length-prefixed messages: a 1-byte compressed flag, a 4-byte big-endian length,
/// then the message.
///
/// Exists so server responses and client requests frame the same way, straight into the buffer
/// that becomes the DATA frame's payload.
public enum MessageFramer {
    /// The size of the prefix before every message.
    public static let prefixLength = 5

    /// Appends `payload` with its prefix to `buffer`.
    public static func append(_ payload: [UInt8], compressed: Bool = false, to buffer: inout ByteBuffer) {
        buffer.reserveCapacity(minimumWritableBytes: prefixLength + payload.count)
        buffer.writeInteger(compressed ? UInt8(1) : UInt8(0))
        buffer.writeInteger(UInt32(truncatingIfNeeded: payload.count))
        buffer.writeBytes(payload)
    }

    /// Appends a `ByteBuffer` payload with its prefix to `buffer`.
    public static func append(_ payload: ByteBuffer, compressed: Bool = false, to buffer: inout ByteBuffer) {
        buffer.reserveCapacity(minimumWritableBytes: prefixLength + payload.readableBytes)
        buffer.writeInteger(compressed ? UInt8(1) : UInt8(0))
        buffer.writeInteger(UInt32(truncatingIfNeeded: payload.readableBytes))
        var payload = payload
        buffer.writeBuffer(&payload)
    }

    /// Serializes `message` and frames it into a new buffer.
    /// - Throws: `RPCError` RESOURCE_EXHAUSTED when the message is larger than `maxMessageSize`,
    ///   INTERNAL when it cannot be serialized.
    public static func frame(
        _ message: some SwiftProtobuf.Message, maxMessageSize: Int = .max,
        allocator: ByteBufferAllocator = ByteBufferAllocator()
    ) throws(RPCError) -> ByteBuffer {
        let bytes: [UInt8]
        do {
            bytes = try message.serializedBytes()
        } catch {
            throw RPCError(code: .internal, message: "failed to serialize \(type(of: message)): \(error)")
        }
        guard bytes.count <= maxMessageSize, bytes.count <= Int(UInt32.max) else {
            throw RPCError(
                code: .resourceExhausted,
                message: "trying to send message larger than max (\(bytes.count) vs. \(maxMessageSize))")
        }
        var buffer = allocator.buffer(capacity: prefixLength + bytes.count)
        append(bytes, to: &buffer)
        return buffer
    }
}
