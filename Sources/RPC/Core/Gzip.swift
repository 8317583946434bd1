internal import CZlib
import NIOCore

/// The `gzip` message encoding (RFC 1952 framing around deflate), through the system zlib.
///
/// Exists so the server accepts compressed requests (`grpc-encoding: gzip`) and the client can
/// send them. Decompression stops at a size limit, so a small bomb cannot exhaust memory.
public enum Gzip {
    /// gzip framing rather than raw deflate or zlib.
    private static let windowBits: Int32 = 15 + 16

    /// Compresses `bytes` into a gzip member.
    public static func compress(_ input: ByteBuffer) throws(RPCError) -> ByteBuffer {
        var stream = z_stream()
        guard czlib_deflateInit2(&stream, Z_DEFAULT_COMPRESSION, windowBits) == Z_OK else {
            throw RPCError(code: .internal, message: "gzip: deflateInit2 failed")
        }
        defer { deflateEnd(&stream) }
        let bound = Int(deflateBound(&stream, uLong(input.readableBytes))) + 16
        var output = ByteBufferAllocator().buffer(capacity: bound)
        var result: Int32 = Z_OK
        input.withUnsafeReadableBytes { inBytes in
            stream.next_in = UnsafeMutablePointer(mutating: inBytes.baseAddress?.assumingMemoryBound(to: Bytef.self))
            stream.avail_in = uInt(inBytes.count)
            output.writeWithUnsafeMutableBytes(minimumWritableBytes: bound) { outBytes in
                stream.next_out = outBytes.baseAddress?.assumingMemoryBound(to: Bytef.self)
                stream.avail_out = uInt(outBytes.count)
                result = deflate(&stream, Z_FINISH)
                return outBytes.count - Int(stream.avail_out)
            }
        }
        guard result == Z_STREAM_END else {
            throw RPCError(code: .internal, message: "gzip: deflate failed (zlib status \(result))")
        }
        return output
    }

    /// Decompresses a gzip payload.
    /// - Throws: `RPCError` RESOURCE_EXHAUSTED when the result would exceed `limit`, INTERNAL when
    ///   the payload is not valid gzip.
    public static func decompress(_ input: ByteBuffer, limit: Int) throws(RPCError) -> ByteBuffer {
        var stream = z_stream()
        guard czlib_inflateInit2(&stream, windowBits) == Z_OK else {
            throw RPCError(code: .internal, message: "gzip: inflateInit2 failed")
        }
        defer { inflateEnd(&stream) }
        var output = ByteBufferAllocator().buffer(capacity: min(max(input.readableBytes * 4, 256), limit + 1))
        var result: Int32 = Z_OK
        input.withUnsafeReadableBytes { inBytes in
            stream.next_in = UnsafeMutablePointer(mutating: inBytes.baseAddress?.assumingMemoryBound(to: Bytef.self))
            stream.avail_in = uInt(inBytes.count)
            while result == Z_OK && output.readableBytes <= limit {
                let room = max(output.writableBytes, 4096)
                output.writeWithUnsafeMutableBytes(minimumWritableBytes: room) { outBytes in
                    stream.next_out = outBytes.baseAddress?.assumingMemoryBound(to: Bytef.self)
                    stream.avail_out = uInt(outBytes.count)
                    result = inflate(&stream, Z_NO_FLUSH)
                    return outBytes.count - Int(stream.avail_out)
                }
                if result == Z_BUF_ERROR && stream.avail_in == 0 { break }
                if result == Z_BUF_ERROR { result = Z_OK }
            }
        }
        if output.readableBytes > limit {
            throw RPCError(
                code: .resourceExhausted,
                message: "received message larger than max after decompression (more than \(limit) bytes)")
        }
        guard result == Z_STREAM_END else {
            throw RPCError(code: .internal, message: "failed to decompress a gzip message (zlib status \(result))")
        }
        return output
    }
}
