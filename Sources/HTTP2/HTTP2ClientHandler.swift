import NIOCore

/// Runs an nghttp2 client session over a channel of plaintext bytes (above TLS, or h2c).
///
/// Exists so the RPC client can multiplex calls over one connection: it sends the preface and
/// SETTINGS when the channel becomes active (or when added to an active channel), then hands
/// out the `HTTP2Connection` through `connectionReady`.
public final class HTTP2ClientHandler: ChannelDuplexHandler {
    public typealias InboundIn = ByteBuffer
    public typealias OutboundIn = ByteBuffer
    public typealias OutboundOut = ByteBuffer

    /// - Parameters:
    ///   - connectionReady: called once, on the loop, when the session has started.
    ///   - connectionClosed: called once when the connection ends (GOAWAY received or channel inactive).
    public init(
        settings: HTTP2Settings,
        connectionReady: @escaping (HTTP2Connection) -> Void,
        connectionClosed: @escaping () -> Void = {}
    ) {
        fatalError("implemented in the HTTP2 issue")
    }
}
