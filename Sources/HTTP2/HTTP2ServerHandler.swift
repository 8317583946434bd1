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
        self.settings = settings
        self.connectionReady = connectionReady
        self.makeStreamHandler = makeStreamHandler
    }

    private let settings: HTTP2Settings
    private let connectionReady: (HTTP2Connection) -> Void
    private let makeStreamHandler: (HTTP2StreamID, HTTP2Connection) -> any HTTP2StreamHandler
    private var core: HTTP2ConnectionCore?

    private func start(context: ChannelHandlerContext) {
        guard core == nil else { return }
        do {
            let core = try HTTP2ConnectionCore(
                role: .server(makeStreamHandler: makeStreamHandler), settings: settings, context: context,
                onClosed: {})
            self.core = core
            connectionReady(core.connection)
        } catch {
            context.close(promise: nil)
        }
    }

    // MARK: - ChannelHandler

    public func handlerAdded(context: ChannelHandlerContext) {
        if context.channel.isActive { start(context: context) }
    }

    public func handlerRemoved(context: ChannelHandlerContext) {
        core?.stop()
        core = nil
    }

    public func channelActive(context: ChannelHandlerContext) {
        start(context: context)
        context.fireChannelActive()
    }

    public func channelInactive(context: ChannelHandlerContext) {
        core?.stop()
        context.fireChannelInactive()
    }

    public func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        core?.receive(unwrapInboundIn(data))
    }

    public func channelWritabilityChanged(context: ChannelHandlerContext) {
        core?.writabilityChanged()
        context.fireChannelWritabilityChanged()
    }
}
