internal import CNGHTTP2
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

    enum Shutdown: Equatable {
        case none
        /// Server: the GOAWAY notice and a PING went out; the final GOAWAY follows the PING's ACK.
        case noticeSent
        case goAwaySent
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
    private(set) var shutdown = Shutdown.none
    var goAwayReceived = false
    var finalGoAwayDue = false
    private var closedNoticeDue = false
    private var closedNotified = false
    private(set) var isStopped = false
    private var isClosing = false
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
            highWatermark: settings.streamHighWatermark, lowWatermark: settings.streamLowWatermark)
        switch role {
        case .server: self.session = try NGHTTP2Session(role: .server)
        case .client: self.session = try NGHTTP2Session(role: .client)
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

    var isServer: Bool { if case .server = role { true } else { false } }

    /// Whether new streams may start: not after GOAWAY (either way) or close.
    var isActive: Bool { !isStopped && !isClosing && shutdown == .none && !goAwayReceived }

    // MARK: - Driving (called by the handlers)

    /// Feeds bytes read from the channel to nghttp2, then delivers what they contained.
    func receive(_ bytes: ByteBuffer) {
        guard !isStopped, !isClosing else { return }
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
        guard !isStopped else { return }
        isStopped = true
        shutdownTimer?.cancel()
        for (id, state) in streams.closeAll() {
            if !state.locallyReset { events.append((state.handler, id, .reset(errorCode: HTTP2ErrorCode.cancel))) }
            events.append((state.handler, id, .closed))
        }
        if case .client = role { closedNoticeDue = true }
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
        guard !isStopped, !isClosing else { return }
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
        guard !isClosing, !isStopped else { return }
        isClosing = true
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
                if !closedNotified {
                    closedNotified = true
                    onClosed()
                }
                continue
            }
            return
        }
    }

    // MARK: - Graceful shutdown

    func shutdownGracefully() {
        guard !isStopped, !isClosing, shutdown == .none else { return }
        switch role {
        case .server:
            // Two GOAWAYs: a notice (new streams may still be in flight towards us), then after
            // one round trip (the PING's ACK) the real one with the last stream we processed.
            shutdown = .noticeSent
            _ = session.submitShutdownNotice()
            _ = session.submitPing()
            shutdownTimer = context.eventLoop.assumeIsolated().scheduleTask(in: Self.shutdownNoticeGrace) {
                self.sendFinalGoAway()
                self.schedulePump()
            }
        case .client:
            shutdown = .goAwaySent
            _ = session.submitGoAway(lastStreamID: session.lastProcessedStreamID, errorCode: HTTP2ErrorCode.noError)
        }
        schedulePump()
    }

    func sendFinalGoAway() {
        finalGoAwayDue = false
        guard shutdown == .noticeSent, !isStopped else { return }
        shutdown = .goAwaySent
        shutdownTimer?.cancel()
        _ = session.submitGoAway(lastStreamID: session.lastProcessedStreamID, errorCode: HTTP2ErrorCode.noError)
    }

    /// The client heard GOAWAY: tell the layer above once (after nghttp2 returns).
    func noteGoAwayReceived() {
        goAwayReceived = true
        if case .client = role { closedNoticeDue = true }
    }
}
