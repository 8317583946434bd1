import NIOCore

/// Runs OpenSSL in memory-BIO mode inside a channel: ciphertext below, plaintext above.
///
/// Exists so TLS is just another handler in the pipeline. Fires `TLSEstablished` when the
/// handshake is done; closes the channel (after flushing the alert) if the handshake fails, the
/// peer's certificate is refused, or ALPN does not agree.
public final class TLSHandler: ChannelDuplexHandler {
    public typealias InboundIn = ByteBuffer
    public typealias InboundOut = ByteBuffer
    public typealias OutboundIn = ByteBuffer
    public typealias OutboundOut = ByteBuffer

    /// - Parameter serverName: client only: the name to verify (DNS name or IP literal) and send as SNI.
    public init(context: TLSContext, serverName: String? = nil) {
        fatalError("implemented in the RPC-layer issue (TLS part)")
    }
}
