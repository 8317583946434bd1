import NIOCore

/// An HTTP/2 stream identifier (odd: client-initiated).
public typealias HTTP2StreamID = Int32

/// What happened on one stream, delivered in order to that stream's `HTTP2StreamHandler`.
///
/// Exists so the layer above sees a stream as a sequence of header blocks and data chunks and
/// never touches nghttp2's frame unions.
public enum HTTP2StreamEvent: Sendable {
    /// A header block: request headers (server), response headers or trailers (client).
    case headers(HTTP2Headers, endStream: Bool)
    /// A chunk of DATA payload. The bytes count against the stream's receive window until the
    /// handler calls `HTTP2Connection.consume(streamID:bytes:)`.
    case data(ByteBuffer, endStream: Bool)
    /// The peer reset the stream (RST_STREAM) with this error code, nghttp2 reset it for a protocol
    /// violation (e.g. an invalid or oversized header block), or the connection went away
    /// (`HTTP2ErrorCode.cancel`, and `connection.isActive` is then false). Not delivered for a
    /// reset the handler asked for itself.
    case reset(errorCode: UInt32)
    /// The stream is fully closed (after both END_STREAMs, or after a reset). Always the last event.
    case closed
    /// Queued outbound data for this stream fell below the low watermark: the handler may send more.
    case writable
}

/// Receives the events of one stream. Called on the connection's event loop only.
///
/// The server creates one per stream the peer opens (through the factory given to
/// `HTTP2ServerHandler`); the client passes one to `HTTP2Connection.startStream`.
public protocol HTTP2StreamHandler: AnyObject {
    func handle(_ event: HTTP2StreamEvent, streamID: HTTP2StreamID, connection: HTTP2Connection)
}

/// HTTP/2 error codes (RFC 9113 §7) used by the layers above.
public enum HTTP2ErrorCode {
    public static let noError: UInt32 = 0x0
    public static let protocolError: UInt32 = 0x1
    public static let internalError: UInt32 = 0x2
    public static let flowControlError: UInt32 = 0x3
    public static let refusedStream: UInt32 = 0x7
    public static let cancel: UInt32 = 0x8
    public static let enhanceYourCalm: UInt32 = 0xb
}
