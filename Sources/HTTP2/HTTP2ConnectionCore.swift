import NIOCore

/// The engine of one HTTP/2 connection, shared by the server and client handlers.
///
/// Exists so the handlers stay thin: it owns the nghttp2 session and the stream table, pumps
/// bytes between nghttp2 and the channel, and delivers stream events to the layer above only
/// after nghttp2 has returned (so nothing the layer above does can re-enter nghttp2).
final class HTTP2ConnectionCore {
    enum Role {
        case server(makeStreamHandler: (HTTP2StreamID, HTTP2Connection) -> any HTTP2StreamHandler)
        case client
    }

    /// The most bytes taken from nghttp2 into one write before yielding the loop.
    static let pumpLimit = 256 * 1024
    /// How long the server waits for the PING ACK before sending its final GOAWAY anyway.
    static let shutdownNoticeGrace = TimeAmount.seconds(1)

    let role: Role
    let connection: HTTP2Connection
    var streams: HTTP2StreamTable
    let session: NGHTTP2Session
    private let context: ChannelHandlerContext
    private let onClosed: () -> Void

    /// Stream events recorded while nghttp2 ran, delivered once it returned.
    var events: [(handler: any HTTP2StreamHandler, streamID: HTTP2StreamID, event: HTTP2StreamEvent)] = []
    /// Connection receive window owed for DATA that no handler will consume (closed or unknown streams).
    var connectionCredit = 0
    var state: StateMachine
    /// The PING ACK arrived inside nghttp2: send the final GOAWAY once it returns.
    var finalGoAwayDue = false
    /// The client's owner is owed `connectionClosed` (delivered with the stream events).
    private var closedNoticeDue = false
    private var isDelivering = false
    private var pumpScheduled = false
    private var lastWrite: EventLoopFuture<Void>?
    private var shutdownTimer: Scheduled<Void>?

    init(role: Role, settings: HTTP2Settings, context: ChannelHandlerContext, onClosed: @escaping () -> Void) throws {
        self.role = role
        self.context = context
        self.onClosed = onClosed
        self.connection = HTTP2Connection(eventLoop: context.eventLoop)
        self.streams = HTTP2StreamTable(
            highWatermark: settings.streamHighWatermark, lowWatermark: settings.streamLowWatermark,
            maxHeaderListSize: Int(settings.maxHeaderListSize))
        switch role {
        case .server:
            self.state = StateMachine(isServer: true)
            self.session = try NGHTTP2Session(role: .server)
        case .client:
            self.state = StateMachine(isServer: false)
            self.session = try NGHTTP2Session(role: .client)
        }
        session.delegate = self
        connection.core = self
        if let error = session.submitSettings(
            NGHTTP2Session.settingsEntries(settings), connectionWindow: settings.connectionWindowSize)
        {
            throw error
        }
        schedulePump()
    }

    var isActive: Bool { state.isActive }
    var isStopped: Bool { state.isStopped }

    // MARK: - Driving (called by the handlers)

    /// Feeds bytes read from the channel to nghttp2, then delivers what they contained.
    func receive(_ bytes: ByteBuffer) {
        guard state.isRunning else { return }
        let error = session.receive(bytes)
        if finalGoAwayDue { sendFinalGoAway() }
        deliverEvents()
        if error != nil {
            // A bad preface, a bad frame, a flood: say GOAWAY (nghttp2 may have queued one already),
            // flush it, and close.
            session.terminate(errorCode: HTTP2ErrorCode.protocolError)
            closeAfterFlushing()
            return
        }
        schedulePump()
    }

    func writabilityChanged() {
        if context.channel.isWritable { schedulePump() }
    }

    /// The channel went away: every open stream hears `.reset` (unless it reset itself) and `.closed`.
    func stop() {
        guard case .stop(let notifyClosed) = state.stopped() else { return }
        shutdownTimer?.cancel()
        for (id, state) in streams.closeAll() {
            if !state.locallyReset { events.append((state.handler, id, .reset(errorCode: HTTP2ErrorCode.cancel))) }
            events.append((state.handler, id, .closed))
        }
        if notifyClosed { closedNoticeDue = true }
        deliverEvents()
    }

    // MARK: - Pumping

    /// Coalesces every request to send into one pass per event-loop tick.
    func schedulePump() {
        guard !pumpScheduled, !isStopped else { return }
        pumpScheduled = true
        context.eventLoop.assumeIsolated().execute { self.pump() }
    }

    private func pump() {
        pumpScheduled = false
        guard state.isRunning else { return }
        deliverEvents()
        // Under socket backpressure nghttp2 keeps its frames queued; writabilityChanged resumes.
        guard context.channel.isWritable else { return }
        switch sendPending() {
        case .drained: break
        case .more: schedulePump()
        case .failed: closeAfterFlushing()
        }
        deliverEvents()
        if !session.wantsRead, !session.wantsWrite { closeAfterFlushing() }
    }

    /// Moves what nghttp2 wants to send into one buffer, writes and flushes it.
    private func sendPending() -> NGHTTP2Session.SendResult {
        var buffer = context.channel.allocator.buffer(capacity: 4096)
        let result = session.send(into: &buffer, limit: Self.pumpLimit)
        if buffer.readableBytes > 0 {
            lastWrite = context.writeAndFlush(NIOAny(buffer))
        }
        return result
    }

    /// Sends what nghttp2 still has (its GOAWAY above all), then closes once the bytes left.
    private func closeAfterFlushing() {
        guard state.closeRequested() else { return }
        while case .more = sendPending() {}
        let context = self.context
        if let lastWrite {
            lastWrite.assumeIsolated().whenComplete { _ in context.close(promise: nil) }
        } else {
            context.close(promise: nil)
        }
    }

    /// Delivers recorded stream events, `.writable` notices and the client's closed notice.
    func deliverEvents() {
        guard !isDelivering, !session.isBusy else { return }
        isDelivering = true
        defer { isDelivering = false }
        while true {
            if connectionCredit > 0, !isStopped {
                session.consumeConnection(bytes: connectionCredit)
                connectionCredit = 0
            }
            if !events.isEmpty {
                let batch = events
                events.removeAll()
                for item in batch { item.handler.handle(item.event, streamID: item.streamID, connection: connection) }
                continue
            }
            let writable = streams.takeWritable()
            if !writable.isEmpty {
                for (id, handler) in writable { handler.handle(.writable, streamID: id, connection: connection) }
                continue
            }
            if closedNoticeDue {
                closedNoticeDue = false
                onClosed()
                continue
            }
            return
        }
    }

    // MARK: - Graceful shutdown

    func shutdownGracefully() {
        switch state.shutdownRequested() {
        case .none:
            return
        case .sendNoticeAndPing:
            // Streams may already be on their way to us: the final GOAWAY waits one round trip.
            _ = session.submitShutdownNotice()
            _ = session.submitPing()
            shutdownTimer = context.eventLoop.assumeIsolated().scheduleTask(in: Self.shutdownNoticeGrace) {
                self.sendFinalGoAway()
                self.schedulePump()
            }
        case .sendGoAway:
            _ = session.submitGoAway(lastStreamID: session.lastProcessedStreamID, errorCode: HTTP2ErrorCode.noError)
        }
        schedulePump()
    }

    func sendFinalGoAway() {
        finalGoAwayDue = false
        guard state.noticeRoundTripDone() else { return }
        shutdownTimer?.cancel()
        _ = session.submitGoAway(lastStreamID: session.lastProcessedStreamID, errorCode: HTTP2ErrorCode.noError)
    }

    /// The peer said GOAWAY: no new streams; the client's owner hears it once nghttp2 returns.
    func noteGoAwayReceived() {
        if state.goAwayWasReceived() { closedNoticeDue = true }
    }
}
