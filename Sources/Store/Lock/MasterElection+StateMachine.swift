extension MasterElection {
    /// The election's decisions as a plain value: which lock call to make next, and when this process
    /// is the master, given the outcomes of earlier calls and the time they were made.
    ///
    /// Does no I/O and reads no clock (every event carries its instant), so every rule is tested on a
    /// fake clock:
    ///
    /// | state | event | next state | action |
    /// |---|---|---|---|
    /// | standby | tick | standby | try to acquire |
    /// | standby | acquired(fence) at t | master(fence, t) | become master |
    /// | standby | held by other | standby(holder) | announce holder if it changed |
    /// | master | tick | master | renew |
    /// | master | renewed, started at t | master(fence, t) | none |
    /// | master | renew refused / fenced write refused | standby | depose |
    /// | master | tick or failure at now ≥ t + ttl | standby | depose |
    /// | any | stop | stopped | release (when master) |
    /// | stopped | acquired(fence) | stopped | release |
    ///
    /// The master counts its TTL from the *start* of its last successful call, so it gives up no later
    /// than the moment a standby may see the lock expired.
    public struct StateMachine: Sendable, Equatable {
        public enum State: Sendable, Equatable {
            case standby(master: LockOwner?)
            case master(fence: LockFence, confirmedAt: ContinuousClock.Instant)
            case stopped
        }

        public enum Action: Sendable, Equatable {
            case none
            case acquire
            case renew(LockFence)
            case becomeMaster(LockFence)
            case announce(master: LockOwner?)
            case depose(reason: String)
            case release(LockFence)
        }

        public private(set) var state: State = .standby(master: nil)
        public let ttl: Duration
        public let retryInterval: Duration

        public init(ttl: Duration, retryInterval: Duration) {
            self.ttl = ttl
            self.retryInterval = retryInterval
        }

        /// The fence to write with, when this process is the master at `now`.
        public func fence(at now: ContinuousClock.Instant) -> LockFence? {
            guard case .master(let fence, let confirmedAt) = state, now - confirmedAt < ttl else { return nil }
            return fence
        }

        /// How long to wait before the next tick: a third of the TTL while master, else the retry interval.
        public var nextTickDelay: Duration {
            switch state {
            case .master: ttl / 3
            case .standby, .stopped: retryInterval
            }
        }

        /// Time for the next lock call.
        public mutating func tick(at now: ContinuousClock.Instant) -> Action {
            switch state {
            case .standby: return .acquire
            case .master(let fence, let confirmedAt):
                if now - confirmedAt >= ttl { return depose("the lock was not renewed within its TTL (\(ttl))") }
                return .renew(fence)
            case .stopped: return .none
            }
        }

        /// An acquire call that started at `startedAt` answered.
        public mutating func acquireAnswered(_ attempt: LockAttempt, startedAt: ContinuousClock.Instant) -> Action {
            guard case .standby(let known) = state else {
                // Stopped while the call was under way: give back what it took.
                if case .stopped = state, case .acquired(let fence) = attempt { return .release(fence) }
                return .none
            }
            switch attempt {
            case .acquired(let fence):
                state = .master(fence: fence, confirmedAt: startedAt)
                return .becomeMaster(fence)
            case .heldByOther(let holder):
                state = .standby(master: holder)
                return holder == known ? .none : .announce(master: holder)
            }
        }

        /// A renew call that started at `startedAt` answered.
        public mutating func renewAnswered(stillOurs: Bool, startedAt: ContinuousClock.Instant) -> Action {
            guard case .master(let fence, _) = state else { return .none }
            guard stillOurs else { return depose("the lock was taken by another bbs") }
            state = .master(fence: fence, confirmedAt: startedAt)
            return .none
        }

        /// A lock call failed (the store was unreachable) at `now`.
        public mutating func callFailed(at now: ContinuousClock.Instant) -> Action {
            switch state {
            case .master(_, let confirmedAt) where now - confirmedAt >= ttl:
                return depose("the lock could not be renewed within its TTL (\(ttl))")
            case .standby(let known) where known != nil:
                state = .standby(master: nil)
                return .announce(master: nil)
            default:
                return .none
            }
        }

        /// The store refused a write conditioned on `fence`: another process holds the lock.
        public mutating func fencedWriteRefused(_ refused: LockFence) -> Action {
            guard case .master(let fence, _) = state, fence == refused else { return .none }
            return depose("a write was refused: the lock is no longer ours")
        }

        /// Shutting down: give the lock up so a standby takes over at once.
        public mutating func stop() -> Action {
            defer { state = .stopped }
            if case .master(let fence, _) = state { return .release(fence) }
            return .none
        }

        private mutating func depose(_ reason: String) -> Action {
            state = .standby(master: nil)
            return .depose(reason: reason)
        }
    }
}
