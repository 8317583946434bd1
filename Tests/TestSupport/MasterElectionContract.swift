import Store
import Synchronization
import Testing

/// How two `MasterElection`s over one store must behave, as reusable checks: the SQLite and etcd suites
/// run the same list with their own locks.
///
/// Each check gets two `MasterLockContract.Contender`s (each its own connection to one empty store) and
/// builds elections for them with `makeElection` (the test target owns the logger). Every wait is for a
/// role published by `roleChanges()`, bounded by a deadline; the measured times are printed.
public enum MasterElectionContract {
    /// One behaviour of the election.
    public enum Check: String, CaseIterable, Sendable, CustomTestStringConvertible {
        case exactlyOneBecomesMaster
        case stoppedMasterHandsOverAtOnce
        case deletedLockDeposesOnNextRenew
        case refusedWriteDeposesAtOnce
        case stopEndsRunPromptly

        public var testDescription: String { rawValue }
    }

    /// Builds an election for a contender with a TTL; the retry interval is the test's choice.
    public typealias MakeElection = @Sendable (MasterLockContract.Contender, _ ttl: Duration) -> MasterElection

    /// Runs one check.
    public static func run(
        _ check: Check, _ a: MasterLockContract.Contender, _ b: MasterLockContract.Contender, ttl: Duration,
        makeElection: MakeElection
    ) async throws {
        switch check {
        case .exactlyOneBecomesMaster:
            try await withElections(a, b, ttl, makeElection) { first, second in
                _ = try await settle(first, second)
            }
        case .stoppedMasterHandsOverAtOnce:
            try await withElections(a, b, ttl, makeElection) { first, second in
                try await stoppedMasterHandsOver(first, second)
            }
        case .deletedLockDeposesOnNextRenew:
            try await deletedLockDeposes(a, b, ttl, makeElection)
        case .refusedWriteDeposesAtOnce:
            try await refusedWriteDeposes(a, b, makeElection)
        case .stopEndsRunPromptly:
            try await stopEndsRun(a, makeElection)
        }
    }

    /// An election that runs, with its role log.
    public struct Running: Sendable {
        public var contender: MasterLockContract.Contender
        public var election: MasterElection
        public var roles: RoleWatcher
        var runner: Task<Void, Never>

        init(_ contender: MasterLockContract.Contender, _ election: MasterElection) {
            self.contender = contender
            self.election = election
            self.roles = RoleWatcher(election)
            self.runner = Task { await election.run() }
        }

        /// Stops the election and waits for its loop to end.
        func stop() async {
            await election.stop()
            runner.cancel()
            await runner.value
        }
    }

    static func withElections(
        _ a: MasterLockContract.Contender, _ b: MasterLockContract.Contender, _ ttl: Duration,
        _ makeElection: MakeElection, _ body: (Running, Running) async throws -> Void
    ) async throws {
        let first = Running(a, makeElection(a, ttl))
        let second = Running(b, makeElection(b, ttl))
        do {
            try await body(first, second)
        } catch {
            await first.stop()
            await second.stop()
            throw error
        }
        await first.stop()
        await second.stop()
    }

    // MARK: - Checks

    /// Waits until one election is the master and the other a standby naming it; returns (master, standby).
    static func settle(_ first: Running, _ second: Running) async throws -> (Running, Running) {
        let decided = try await first.roles.wait(within: .seconds(20)) { role in
            if case .master = role { return true }
            return role == .standby(master: second.contender.owner)
        }
        let (master, standby) = if case .master = decided { (first, second) } else { (second, first) }
        _ = try await master.roles.wait(within: .seconds(20)) { if case .master = $0 { true } else { false } }
        _ = try await standby.roles.wait(within: .seconds(20)) { $0 == .standby(master: master.contender.owner) }
        #expect(standby.roles.all.allSatisfy { if case .master = $0 { false } else { true } }, "\(standby.roles.all)")
        #expect(master.roles.all.filter { if case .master = $0 { true } else { false } }.count == 1)
        #expect(standby.election.currentFence == nil)
        #expect(master.election.currentFence != nil)
        return (master, standby)
    }

    static func stoppedMasterHandsOver(_ first: Running, _ second: Running) async throws {
        let (master, standby) = try await settle(first, second)
        let oldFence = try #require(master.election.currentFence)
        let clock = ContinuousClock()
        let started = clock.now
        await master.stop()
        let role = try await standby.roles.wait(within: .seconds(10)) { if case .master = $0 { true } else { false } }
        let tookOver = clock.now - started
        print("MasterElectionContract: \(type(of: standby.contender.lock)) standby took over \(tookOver) after stop()")
        #expect(tookOver < .seconds(5), "the standby took \(tookOver) to take over a released lock")
        guard case .master(let fence) = role else { return }
        #expect(fence != oldFence)
        #expect(master.election.role == .stopped)
        #expect(try await master.contender.lock.holder() == standby.contender.owner)
    }

    static func deletedLockDeposes(
        _ a: MasterLockContract.Contender, _ b: MasterLockContract.Contender, _ ttl: Duration,
        _ makeElection: MakeElection
    ) async throws {
        let master = Running(a, makeElection(a, ttl))
        defer { master.runner.cancel() }
        let role = try await master.roles.wait(within: .seconds(20)) { if case .master = $0 { true } else { false } }
        guard case .master(let fence) = role else { return }
        // Another process takes the lock behind the master's back.
        let clock = ContinuousClock()
        let mark = master.roles.count
        #expect(try await b.backend.delete(fence.key))
        let takenAt = clock.now
        let taken = try await b.lock.acquire(as: b.owner, ttl: ttl)
        guard case .acquired(let takerFence) = taken else {
            Issue.record("the taker expected the lock, got \(taken)")
            await master.stop()
            return
        }
        _ = try await master.roles.wait(since: mark, within: ttl + .seconds(5)) { $0 != .master(fence) }
        let deposedAfter = clock.now - takenAt
        print("MasterElectionContract: \(type(of: a.lock)) master deposed \(deposedAfter) after the takeover")
        #expect(deposedAfter < ttl, "deposed only after \(deposedAfter)")
        #expect(master.election.currentFence != fence)
        _ = try await master.roles.wait(since: mark, within: .seconds(10)) { $0 == .standby(master: b.owner) }
        await master.stop()
        // The stopped ex-master must not release the taker's lock.
        #expect(try await b.lock.holder() == b.owner)
        #expect(try await b.lock.renew(takerFence, as: b.owner, ttl: ttl))
    }

    static func refusedWriteDeposes(
        _ a: MasterLockContract.Contender, _ b: MasterLockContract.Contender, _ makeElection: MakeElection
    ) async throws {
        // A long TTL: the master renews only every 10 s, so only the refused write can depose it here.
        let master = Running(a, makeElection(a, .seconds(30)))
        defer { master.runner.cancel() }
        let role = try await master.roles.wait(within: .seconds(20)) { if case .master = $0 { true } else { false } }
        guard case .master(let fence) = role else { return }
        let store = FencedBackend(a.backend, fences: master.election)
        try await store.put("/contract/x", Array("mine".utf8))
        let mark = master.roles.count
        #expect(try await b.backend.delete(fence.key))
        _ = try await b.lock.acquire(as: b.owner, ttl: .seconds(30))
        await MasterLockContract.expectStoreError(.lockLost, "a write after the takeover") {
            try await store.put("/contract/x", Array("late".utf8))
        }
        #expect(master.election.currentFence == nil)
        _ = try await master.roles.wait(since: mark, within: .seconds(1)) { $0 == .standby(master: nil) }
        #expect(try await b.backend.get("/contract/x")?.value == Array("mine".utf8))
        await master.stop()
    }

    static func stopEndsRun(_ a: MasterLockContract.Contender, _ makeElection: MakeElection) async throws {
        // A long TTL: a master sleeps 10 s between renewals, which stop() must not wait out.
        let election = makeElection(a, .seconds(30))
        let roles = RoleWatcher(election)
        let runner = Task { await election.run() }
        _ = try await roles.wait(within: .seconds(20)) { if case .master = $0 { true } else { false } }
        let clock = ContinuousClock()
        let started = clock.now
        await election.stop()
        await runner.value
        let ended = clock.now - started
        #expect(ended < .seconds(3), "run() returned \(ended) after stop()")
        #expect(try await a.lock.holder() == nil)
        // A subscriber that comes after the stop hears that and the end, instead of waiting forever.
        let late = await withTaskGroup(of: [MasterElection.Role]?.self) { group in
            group.addTask {
                var seen: [MasterElection.Role] = []
                for await role in election.roleChanges() { seen.append(role) }
                return seen
            }
            group.addTask {
                try? await Task.sleep(for: .seconds(5))
                return nil
            }
            defer { group.cancelAll() }
            return await group.next() ?? nil
        }
        #expect(late == [.stopped])
    }
}

/// Every role an election published, in order, with waits for the next one that matches.
///
/// Exists because a test must wait for a signal: `wait` returns as soon as a matching role is published
/// (or was already), and fails at its deadline instead of sleeping a fixed time.
public final class RoleWatcher: Sendable {
    private struct Waiter {
        var predicate: @Sendable (MasterElection.Role) -> Bool
        var continuation: CheckedContinuation<MasterElection.Role, any Error>
    }

    private struct State {
        var roles: [MasterElection.Role] = []
        var waiters: [Int: Waiter] = [:]
        /// Waits whose deadline passed before they were registered.
        var expired: Set<Int> = []
        var nextWaiter = 0
    }

    private let state = Mutex(State())

    /// Starts recording `election.roleChanges()` (its first element is the role now).
    public init(_ election: MasterElection) {
        let changes = election.roleChanges()
        Task { for await role in changes { self.record(role) } }
    }

    /// Every role so far.
    public var all: [MasterElection.Role] { state.withLock { $0.roles } }

    /// How many roles were published so far: a mark for `wait(since:)`.
    public var count: Int { state.withLock { $0.roles.count } }

    /// The first role published at or after index `since` that matches `predicate`, waiting for it up to `within`.
    @discardableResult
    public func wait(
        since mark: Int = 0, within timeout: Duration,
        until predicate: @escaping @Sendable (MasterElection.Role) -> Bool
    ) async throws -> MasterElection.Role {
        let id = state.withLock { state in
            defer { state.nextWaiter += 1 }
            return state.nextWaiter
        }
        let timer = Task {
            try await Task.sleep(for: timeout)
            let (waiter, roles) = state.withLock { state in
                let waiter = state.waiters.removeValue(forKey: id)
                if waiter == nil { state.expired.insert(id) }
                return (waiter, state.roles)
            }
            waiter?.continuation.resume(
                throwing: ContractFailure("no matching role within \(timeout); roles so far: \(roles)"))
        }
        defer { timer.cancel() }
        return try await withCheckedThrowingContinuation { continuation in
            let found = state.withLock { state -> Result<MasterElection.Role, any Error>? in
                if let role = state.roles.dropFirst(mark).first(where: predicate) { return .success(role) }
                if state.expired.remove(id) != nil {
                    return .failure(ContractFailure("no matching role within \(timeout); roles so far: \(state.roles)"))
                }
                state.waiters[id] = Waiter(predicate: predicate, continuation: continuation)
                return nil
            }
            if let found { continuation.resume(with: found) }
        }
    }

    private func record(_ role: MasterElection.Role) {
        let matched = state.withLock { state -> [Waiter] in
            state.roles.append(role)
            let ids = state.waiters.filter { $0.value.predicate(role) }.map(\.key)
            return ids.compactMap { state.waiters.removeValue(forKey: $0) }
        }
        for waiter in matched { waiter.continuation.resume(returning: role) }
    }
}
