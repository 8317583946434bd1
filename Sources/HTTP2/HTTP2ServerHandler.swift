import NIOCore

/// Runs an nghttp2 server session over a channel of plaintext bytes (above TLS, or h2c).
///
/// Exists so each accepted connection gets exactly one HTTP/2 session. Reads bytes, writes
/// bytes; every stream the peer opens gets a handler from `makeStreamHandler`.
public final class HTTP2ServerHandler: ChannelDuplexHandler {
    public typealias InboundIn = ByteBuffer
    public typealias OutboundIn = ByteBuffer
    public typealias OutboundOut = ByteBuffer

    /// - Parameters:
    ///   - settings: the SETTINGS to advertise and the limits to enforce.
    ///   - connectionReady: called once, on the loop, with the connection handle (before any stream).
    ///   - makeStreamHandler: called on the loop when a peer opens a stream.
    public init(
        settings: HTTP2Settings,
        connectionReady: @escaping (HTTP2Connection) -> Void = { _ in },
        makeStreamHandler: @escaping (HTTP2StreamID, HTTP2Connection) -> any HTTP2StreamHandler
    ) {
        fatalError("implemented in the HTTP2 issue")
    }
}
