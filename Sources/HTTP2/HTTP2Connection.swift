import NIOCore

/// The handle that the layer above uses to act on one HTTP/2 connection.
///
/// Exists so gRPC code can send headers, data and trailers and open streams without seeing
/// nghttp2. It is owned by the connection's channel handler and must only be used on that
/// channel's event loop. Every method is safe to call from inside `HTTP2StreamHandler.handle`:
/// work is queued and the session is pumped once the current nghttp2 call returns.
public final class HTTP2Connection {
    /// The event loop that owns this connection.
    public let eventLoop: any EventLoop

    /// Connection-wide facts the layer above may show to handlers (peer address, TLS identity).
    public var userInfo: [String: any Sendable] = [:]

    /// Whether the connection can still start or accept streams (false after GOAWAY or close).
    public var isActive: Bool { core?.isActive ?? false }

    /// The engine behind this handle; gone once the channel handler is removed.
    weak var core: HTTP2ConnectionCore?

    init(eventLoop: any EventLoop) {
        self.eventLoop = eventLoop
    }

    /// Open streams tracked by the connection (for tests and metrics).
    var openStreamCount: Int { core?.streams.count ?? 0 }

    /// Sends a header block (response headers on the server, trailers with `endStream: true`).
    /// A header block with `endStream: true` and no prior headers is a trailers-only response.
    public func sendHeaders(streamID: HTTP2StreamID, _ headers: HTTP2Headers, endStream: Bool) {
        core?.sendHeaders(streamID: streamID, headers, endStream: endStream)
    }

    /// Queues DATA for a stream; nghttp2 sends it as flow control allows. With `endStream` the
    /// last DATA frame carries END_STREAM (clients); servers end streams with trailers instead.
    public func sendData(streamID: HTTP2StreamID, _ data: ByteBuffer, endStream: Bool) {
        core?.sendData(streamID: streamID, data, endStream: endStream)
    }

    /// Bytes queued for the stream and not yet handed to nghttp2.
    public func queuedBytes(streamID: HTTP2StreamID) -> Int {
        core?.queuedBytes(streamID: streamID) ?? 0
    }

    /// Returns receive-window credit for `bytes` of DATA the handler has processed.
    public func consume(streamID: HTTP2StreamID, bytes: Int) {
        core?.consume(streamID: streamID, bytes: bytes)
    }

    /// Resets one stream with RST_STREAM. A NO_ERROR reset asked for while queued DATA or trailers
    /// are still going out waits until they are out (a server ending an unfinished request).
    /// The handler hears `.closed` but not `.reset` for a reset it asked for.
    public func reset(streamID: HTTP2StreamID, errorCode: UInt32) {
        core?.reset(streamID: streamID, errorCode: errorCode)
    }

    /// Client only: opens a stream with request headers; events go to `handler`.
    /// Returns nil when the connection cannot open more streams (GOAWAY received, closed).
    public func startStream(
        _ headers: HTTP2Headers, endStream: Bool, handler: any HTTP2StreamHandler
    ) -> HTTP2StreamID? {
        core?.startStream(headers, endStream: endStream, handler: handler)
    }

    /// Starts a graceful shutdown: GOAWAY, streams in flight finish, new ones are refused,
    /// and the channel closes when the last stream ends.
    public func shutdownGracefully() {
        core?.shutdownGracefully()
    }
}
