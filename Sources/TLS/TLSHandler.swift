import NIOCore

/// Runs OpenSSL in memory-BIO mode inside a channel: ciphertext below, plaintext above.
///
/// Exists so TLS is just another handler in the pipeline. Fires `TLSEstablished` when the
/// handshake is done; closes the channel (after flushing the alert) if the handshake fails, the
/// peer's certificate is refused, or ALPN does not agree.
///
/// The handler is thin: `StateMachine` decides, `TLSConnection` owns the `SSL*`, and this class
/// moves bytes between them and the channel.
///
/// Use one `TLSContext` per role for the whole process and one handler per connection:
/// ```swift
/// // server, in childChannelInitializer:
/// try channel.pipeline.syncOperations.addHandlers(TLSHandler(context: serverContext), HTTP2ServerHandler(...))
/// // client, in channelInitializer:
/// try channel.pipeline.syncOperations.addHandlers(
///     TLSHandler(context: clientContext, serverName: "localhost"), HTTP2ClientHandler(...))
/// ```
/// Handlers above wait for the `TLSEstablished` user event before speaking; plaintext never
/// arrives before it. Failures are fired as `TLSError` and the channel is then closed. With TLS 1.3
/// a *client* whose certificate the server refuses sees `TLSEstablished` first and the server's
/// alert (as a `TLSError`) on its first read: that is how TLS 1.3 orders the messages.
///
/// Backpressure: this handler keeps no plaintext or ciphertext queue of its own. Each inbound read
/// is decrypted and forwarded at once (at most 64 KiB per `channelRead`), and `read()` and
/// writability changes pass through untouched, so a reader above that stops calling `read()`
/// stops the socket. Each outbound write is encrypted into OpenSSL's output, and that output is
/// handed to the channel as one write on `flush`, so the channel's own writability reflects
/// every pending byte; writers above must respect `channelWritabilityChanged`. The one queue is
/// plaintext written before the handshake finished, bounded by what the writer sends before
/// `TLSEstablished`.
public final class TLSHandler: ChannelDuplexHandler {
    public typealias InboundIn = ByteBuffer
    public typealias InboundOut = ByteBuffer
    public typealias OutboundIn = ByteBuffer
    public typealias OutboundOut = ByteBuffer

    /// Most plaintext forwarded in one `fireChannelRead`.
    static let maximumPlaintextRead = 64 * 1024

    private var machine: StateMachine
    private let connection: Result<TLSConnection, TLSError>
    /// Promises of writes encrypted but not yet handed to the channel.
    private var pendingWritePromises: [EventLoopPromise<Void>] = []

    /// - Parameter serverName: client only: the name the server's certificate must carry. A DNS name
    ///   is checked against the DNS SANs and sent as SNI; an IP literal (`127.0.0.1`, `::1`, `[::1]`)
    ///   is checked against the IP SANs, without SNI. Without it only the chain is verified.
    public init(context: TLSContext, serverName: String? = nil) {
        self.machine = StateMachine(applicationProtocols: context.applicationProtocols)
        self.connection = Result { try TLSConnection(context: context, serverName: serverName) }
            .mapError { $0 as? TLSError ?? .configuration("\($0)") }
    }

    // MARK: - Lifecycle

    public func handlerAdded(context: ChannelHandlerContext) {
        if context.channel.isActive { start(context: context) }
    }

    public func channelActive(context: ChannelHandlerContext) {
        start(context: context)
        context.fireChannelActive()
    }

    public func channelInactive(context: ChannelHandlerContext) {
        switch machine.channelInactive() {
        case .failHandshake(let error, let writes):
            failWrites(writes, with: error)
            failPendingPromises(with: error)
            context.fireErrorCaught(error)
        case .none:
            failPendingPromises(with: TLSError.closed)
        }
        context.fireChannelInactive()
    }

    private func start(context: ChannelHandlerContext) {
        guard case .startHandshake = machine.channelActive() else { return }
        switch connection {
        case .failure(let error):
            fail(error, context: context)
        case .success:
            // A client's first step writes its ClientHello; a server's just waits for one.
            continueHandshake(context: context)
        }
    }

    // MARK: - Inbound

    public func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard case .success(let connection) = connection else { return }
        switch machine.channelRead() {
        case .discard:
            return
        case .continueHandshake:
            connection.receive(unwrapInboundIn(data))
            continueHandshake(context: context)
        case .readPlaintext:
            connection.receive(unwrapInboundIn(data))
            readPlaintext(context: context)
        }
    }

    private func continueHandshake(context: ChannelHandlerContext) {
        guard case .success(let connection) = connection else { return }
        switch connection.handshake() {
        case .wantRead:
            sendOutput(context: context)
        case .failed(let error):
            fail(error, context: context)
        case .complete:
            let action = machine.handshakeCompleted(
                applicationProtocol: connection.applicationProtocol,
                peer: connection.peerIdentity,
                protocolVersion: connection.protocolVersion)
            switch action {
            case .none:
                return
            case .refuse(let error, let writes):
                failWrites(writes, with: error)
                fail(error, context: context, sendCloseNotify: true)
            case .established(let event, let writes, let flush):
                sendOutput(context: context)
                // Earlier writes go first, so writes made in reaction to the event follow them.
                for write in writes { encrypt(write.data, promise: write.promise, context: context) }
                if flush { sendOutput(context: context) }
                context.fireUserInboundEventTriggered(event)
                // The peer's first application data often shares a segment with its Finished.
                readPlaintext(context: context)
            }
        }
    }

    private func readPlaintext(context: ChannelHandlerContext) {
        guard case .success(let connection) = connection else { return }
        while machine.canForwardPlaintext {
            var plaintext = context.channel.allocator.buffer(capacity: 0)
            let outcome = connection.read(into: &plaintext, maximumBytes: Self.maximumPlaintextRead)
            if plaintext.readableBytes > 0 {
                context.fireChannelRead(wrapInboundOut(plaintext))
            }
            switch outcome {
            case nil:
                continue
            case .wantRead:
                // TLS 1.3 post-handshake messages (key updates) may have queued a reply.
                if connection.pendingOutput > 0 { sendOutput(context: context) }
                return
            case .closeNotify:
                close(context: context, action: machine.closeNotifyReceived(), promise: nil)
                return
            case .failed(let error):
                fail(error, context: context)
                return
            }
        }
    }

    // MARK: - Outbound

    public func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        let plaintext = unwrapOutboundIn(data)
        switch machine.write(plaintext, promise: promise) {
        case .buffered:
            return
        case .fail(let error):
            promise?.fail(error)
        case .encrypt:
            encrypt(plaintext, promise: promise, context: context)
        }
    }

    public func flush(context: ChannelHandlerContext) {
        if case .flush = machine.flush() { sendOutput(context: context) }
    }

    public func close(context: ChannelHandlerContext, mode: CloseMode, promise: EventLoopPromise<Void>?) {
        guard mode == .all else {
            context.close(mode: mode, promise: promise)
            return
        }
        close(context: context, action: machine.close(), promise: promise)
    }

    private func close(context: ChannelHandlerContext, action: StateMachine.CloseAction, promise: EventLoopPromise<Void>?) {
        switch action {
        case .sendCloseNotifyAndClose:
            if case .success(let connection) = connection { connection.shutdown() }
            sendOutput(context: context)
            context.close(promise: promise)
        case .close(let writes):
            failWrites(writes, with: TLSError.closed)
            context.close(promise: promise)
        case .forward:
            context.close(promise: promise)
        }
    }

    /// Encrypts into OpenSSL's output; the ciphertext goes to the channel on the next flush.
    private func encrypt(_ plaintext: ByteBuffer, promise: EventLoopPromise<Void>?, context: ChannelHandlerContext) {
        guard machine.state == .established, case .success(let connection) = connection else {
            promise?.fail(TLSError.closed)
            return
        }
        if let error = connection.write(plaintext) {
            promise?.fail(error)
            fail(error, context: context)
            return
        }
        if let promise { pendingWritePromises.append(promise) }
    }

    /// Hands all of OpenSSL's output to the channel as one write and flushes; completes the
    /// promises of the writes it carries.
    private func sendOutput(context: ChannelHandlerContext) {
        guard case .success(let connection) = connection else { return }
        let promises = pendingWritePromises
        pendingWritePromises = []
        guard let ciphertext = connection.takeOutput(allocator: context.channel.allocator) else {
            promises.forEach { $0.succeed() }
            return
        }
        context.writeAndFlush(wrapOutboundOut(ciphertext), promise: Self.combine(promises, on: context.eventLoop))
    }

    private static func combine(_ promises: [EventLoopPromise<Void>], on eventLoop: EventLoop) -> EventLoopPromise<Void>? {
        switch promises.count {
        case 0: return nil
        case 1: return promises[0]
        default:
            let combined = eventLoop.makePromise(of: Void.self)
            for promise in promises { combined.futureResult.cascade(to: promise) }
            return combined
        }
    }

    // MARK: - Failure

    /// Sends what OpenSSL queued (the alert), fires `error`, closes.
    private func fail(_ error: TLSError, context: ChannelHandlerContext, sendCloseNotify: Bool = false) {
        if case .fail(_, let writes) = machine.failed(error) {
            failWrites(writes, with: error)
        }
        if sendCloseNotify, case .success(let connection) = connection { connection.shutdown() }
        sendOutput(context: context)
        failPendingPromises(with: error)
        context.fireErrorCaught(error)
        context.close(promise: nil)
    }

    private func failWrites(_ writes: [StateMachine.BufferedWrite], with error: Error) {
        for write in writes { write.promise?.fail(error) }
    }

    private func failPendingPromises(with error: Error) {
        let promises = pendingWritePromises
        pendingWritePromises = []
        promises.forEach { $0.fail(error) }
    }
}

@available(*, unavailable)
extension TLSHandler: Sendable {}
