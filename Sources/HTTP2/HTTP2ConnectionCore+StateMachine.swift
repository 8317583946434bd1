extension HTTP2ConnectionCore {
    /// The life of one connection: open, draining after a GOAWAY either way, closing, stopped.
    ///
    /// Exists so the shutdown rules (a two-step GOAWAY on the server, one GOAWAY on the client,
    /// telling the client's owner exactly once that the connection is gone) are a plain value
    /// tested without a channel. The core asks it before acting and performs what it returns.
    struct StateMachine {
        enum Shutdown: Equatable {
            case none
            /// Server: the GOAWAY notice and a PING went out; the final GOAWAY follows the PING's ACK.
            case noticeSent
            case goAwaySent
        }

        enum ShutdownAction: Equatable {
            case none
            /// Server: GOAWAY notice (last stream 2^31-1), then a PING to time one round trip.
            case sendNoticeAndPing
            /// GOAWAY with the last stream processed.
            case sendGoAway
        }

        enum StopAction: Equatable {
            case alreadyStopped
            case stop(notifyClosed: Bool)
        }

        let isServer: Bool
        private(set) var shutdown = Shutdown.none
        private(set) var goAwayReceived = false
        private(set) var isClosing = false
        private(set) var isStopped = false
        private var closedNotified = false

        init(isServer: Bool) { self.isServer = isServer }

        /// Whether new streams may start: not after GOAWAY (either way), close or stop.
        var isActive: Bool { isRunning && shutdown == .none && !goAwayReceived }
        /// Whether bytes are still read and written.
        var isRunning: Bool { !isStopped && !isClosing }

        mutating func shutdownRequested() -> ShutdownAction {
            guard isRunning, shutdown == .none else { return .none }
            if isServer {
                shutdown = .noticeSent
                return .sendNoticeAndPing
            }
            shutdown = .goAwaySent
            return .sendGoAway
        }

        /// The PING after the notice came back (or the grace timer fired): true when the final
        /// GOAWAY must go out now.
        mutating func noticeRoundTripDone() -> Bool {
            guard shutdown == .noticeSent, !isStopped else { return false }
            shutdown = .goAwaySent
            return true
        }

        /// The peer said GOAWAY; true when the client's owner must hear that the connection closed.
        mutating func goAwayWasReceived() -> Bool {
            goAwayReceived = true
            return takeClosedNotice()
        }

        /// True the first time: the core flushes and closes the channel.
        mutating func closeRequested() -> Bool {
            guard isRunning else { return false }
            isClosing = true
            return true
        }

        /// The channel went away.
        mutating func stopped() -> StopAction {
            guard !isStopped else { return .alreadyStopped }
            isStopped = true
            return .stop(notifyClosed: takeClosedNotice())
        }

        private mutating func takeClosedNotice() -> Bool {
            guard !isServer, !closedNotified else { return false }
            closedNotified = true
            return true
        }
    }
}
