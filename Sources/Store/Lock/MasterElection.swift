import Logging
import Synchronization

/// Keeps this process in the master election: takes the lock when it is free, renews it while held,
/// notices when it is lost, and gives it up on shutdown.
///
/// The decisions are `MasterElection.StateMachine`'s; this type performs its lock calls on a timer and
/// publishes the role. It is also the `FenceSource` of the master's `FencedBackend`: a write is fenced
/// with the current lock fence, and a write the store refuses for its fence deposes this process at once.
/// A standby watches the lock record between attempts, so a released lock (a master shutting down) or an
/// expired one (a master killed) is taken within `standbyPollInterval`.
public final class MasterElection: FenceSource, Sendable {
    /// What this process is in the election.
    public enum Role: Sendable, Equatable {
        /// Another process is (or none is known to be) the master.
        case standby(master: LockOwner?)
        /// This process holds the lock.
        case master(LockFence)
        case stopped
    }

    public let owner: LockOwner
    private let lock: any MasterLock
    private let logger: Logger
    private let clock = ContinuousClock()
    private let machine: Mutex<StateMachine>
    private let subscribers = Mutex(Subscribers())
    /// How often a standby reads the lock record between acquire attempts (and how soon a waiting
    /// election notices `stop()` or a change of its role).
    public let standbyPollInterval: Duration

    public init(
        lock: any MasterLock, owner: LockOwner, ttl: Duration, retryInterval: Duration,
        standbyPollInterval: Duration = .milliseconds(200), logger: Logger
    ) {
        self.lock = lock
        self.owner = owner
        self.logger = logger
        self.standbyPollInterval = standbyPollInterval
        self.machine = Mutex(StateMachine(ttl: ttl, retryInterval: retryInterval))
    }

    /// The role now; a master whose TTL ran out without a renewal is a standby, even before its timer fires
    /// (a process resumed after SIGSTOP sees this at once).
    public var role: Role {
        let now = clock.now
        return machine.withLock { machine in
            switch machine.state {
            case .standby(let master): return .standby(master: master)
            case .stopped: return .stopped
            case .master(let fence, _):
                return machine.fence(at: now) == nil ? .standby(master: nil) : .master(fence)
            }
        }
    }

    /// Role changes, starting with the current role. Ends when the election stops (at once when it
    /// has stopped already).
    public func roleChanges() -> AsyncStream<Role> {
        let (stream, continuation) = AsyncStream.makeStream(of: Role.self, bufferingPolicy: .unbounded)
        // The current role is sent and the subscriber added under the lock `handle` publishes under, so
        // a change between the two is never missed (and never arrives before the role it replaces).
        let id = subscribers.withLock { subscribers -> Int? in
            continuation.yield(role)
            return subscribers.add(continuation)
        }
        guard let id else {
            continuation.finish()
            return stream
        }
        // A consumer that stops listening (breaks out of its loop) is dropped, not fed forever.
        continuation.onTermination = { [weak self] _ in
            self?.subscribers.withLock { _ = $0.continuations.removeValue(forKey: id) }
        }
        return stream
    }

    /// The streams of `roleChanges()`, by id.
    private struct Subscribers {
        var continuations: [Int: AsyncStream<Role>.Continuation] = [:]
        var nextID = 0
        /// Set by `stop()`: later subscribers get a stream that has ended.
        var closed = false

        mutating func add(_ continuation: AsyncStream<Role>.Continuation) -> Int? {
            guard !closed else { return nil }
            defer { nextID += 1 }
            continuations[nextID] = continuation
            return nextID
        }
    }

    // MARK: - FenceSource

    public var currentFence: LockFence? {
        let now = clock.now
        return machine.withLock { $0.fence(at: now) }
    }

    public func fenceRefused(_ fence: LockFence) {
        let action = machine.withLock { $0.fencedWriteRefused(fence) }
        handle(action)
    }

    // MARK: - Running

    /// Runs the election until `stop()` (or cancellation).
    public func run() async {
        while !Task.isCancelled {
            let startedAt = clock.now
            let action = machine.withLock { $0.tick(at: startedAt) }
            if case .none = action, case .stopped = machine.withLock({ $0.state }) { break }
            await perform(action, startedAt: startedAt)
            await waitForNextTick()
        }
    }

    /// Stops the election, releasing the lock when held so that a standby takes over at once.
    public func stop() async {
        let action = machine.withLock { $0.stop() }
        await perform(action, startedAt: clock.now)
        let finished = subscribers.withLock { subscribers in
            defer {
                subscribers.continuations = [:]
                subscribers.closed = true
            }
            return Array(subscribers.continuations.values)
        }
        for continuation in finished {
            continuation.yield(.stopped)
            continuation.finish()
        }
    }

    private func perform(_ action: StateMachine.Action, startedAt: ContinuousClock.Instant) async {
        switch action {
        case .acquire:
            do {
                let attempt = try await lock.acquire(as: owner, ttl: machine.withLock { $0.ttl })
                let next = machine.withLock { $0.acquireAnswered(attempt, startedAt: startedAt) }
                await perform(next, startedAt: startedAt)
            } catch {
                logger.warning("cannot reach the master lock", metadata: ["error": "\(error)"])
                handle(machine.withLock { $0.callFailed(at: clock.now) })
            }
        case .renew(let fence):
            do {
                let ours = try await lock.renew(fence, as: owner, ttl: machine.withLock { $0.ttl })
                handle(machine.withLock { $0.renewAnswered(stillOurs: ours, startedAt: startedAt) })
            } catch {
                logger.warning("cannot renew the master lock", metadata: ["error": "\(error)"])
                handle(machine.withLock { $0.callFailed(at: clock.now) })
            }
        case .release(let fence):
            do {
                try await lock.release(fence)
                logger.info("released the master lock", metadata: ["fence": "\(fence)"])
            } catch {
                logger.warning(
                    "cannot release the master lock; it expires after its TTL", metadata: ["error": "\(error)"])
            }
        case .none, .becomeMaster, .announce, .depose:
            handle(action)
        }
    }

    /// Logs and publishes what an action means for the role.
    private func handle(_ action: StateMachine.Action) {
        switch action {
        case .becomeMaster(let fence):
            logger.notice("took the master lock", metadata: ["fence": "\(fence)", "owner": "\(owner)"])
        case .announce(let master):
            logger.info("standby", metadata: ["master": "\(master.map { "\($0)" } ?? "none known")"])
        case .depose(let reason):
            logger.error("lost the master lock: \(reason)")
        case .none, .acquire, .renew, .release:
            return
        }
        subscribers.withLock { subscribers in
            let role = self.role
            for continuation in subscribers.continuations.values { continuation.yield(role) }
        }
    }

    /// Sleeps until the next tick, waking early when the tick should come now: a standby reads the lock
    /// record meanwhile and wakes when it is free; everyone wakes when the role changed under the sleep
    /// (a master deposed by a refused write tries again at once) or the election stopped (so `run()`
    /// returns soon after `stop()` rather than a third of a TTL later).
    private func waitForNextTick() async {
        let (delay, standby) = machine.withLock { machine -> (Duration, Bool) in
            if case .standby = machine.state { return (machine.nextTickDelay, true) }
            return (machine.nextTickDelay, false)
        }
        let deadline = clock.now + delay
        while clock.now < deadline, !Task.isCancelled {
            try? await Task.sleep(until: min(deadline, clock.now + standbyPollInterval), clock: clock)
            switch machine.withLock({ $0.state }) {
            case .standby where standby:
                if (try? await lock.holder()) == .some(nil) { return }
            case .master where !standby:
                continue
            case .standby, .master, .stopped:
                return
            }
        }
    }
}

/// Where a `FencedBackend` gets the fence for each write, and whom it tells when the store refuses it.
public protocol FenceSource: Sendable {
    /// The fence of the lock this process holds now, or nil when it is not the master.
    var currentFence: LockFence? { get }
    /// The store refused a write conditioned on `fence`.
    func fenceRefused(_ fence: LockFence)
}
