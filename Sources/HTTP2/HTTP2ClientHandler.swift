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
        self.settings = settings
        self.connectionReady = connectionReady
        self.connectionClosed = connectionClosed
    }

    private let settings: HTTP2Settings
    private let connectionReady: (HTTP2Connection) -> Void
    private let connectionClosed: () -> Void
    private var core: HTTP2ConnectionCore?

    private func start(context: ChannelHandlerContext) {
        guard core == nil else { return }
        do {
            let core = try HTTP2ConnectionCore(
                role: .client, settings: settings, context: context, onClosed: connectionClosed)
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
