import Store
import Synchronization
import Testing

/// The behaviour every `MasterLock` must have, with the `FencedBackend` over its store, as reusable
/// checks: the SQLite (`RecordMasterLock`) and etcd (`EtcdMasterLock`) suites run the same list.
///
/// Each check gets two `Contender`s, as two bbs processes would be: each its own lock object over its
/// own connection to the same (empty) store. Checks write data only under `/contract/`.
public enum MasterLockContract {
    /// One behaviour of the contract.
    public enum Check: String, CaseIterable, Sendable, CustomTestStringConvertible {
        case exactlyOneOfTwoAcquires
        case renewKeepsIt
        case releaseLetsTheOtherAcquireAtOnce
        case expiryLetsTheOtherAcquire
        case takeoverMakesTheOldRenewFail
        case sameOwnerTakesOverItsEarlierRun
        case fencedWritesLand
        case fencedWritesAfterTakeoverAreRefused
        case fencedConditionFailuresStayConditionFailures
        case noFenceWritesNothing

        public var testDescription: String { rawValue }
    }

    /// One would-be master: its identity, its lock and its own connection to the store.
    public struct Contender: Sendable {
        public var owner: LockOwner
        public var lock: any MasterLock
        public var backend: any Backend

        public init(owner: LockOwner, lock: any MasterLock, backend: any Backend) {
            self.owner = owner
            self.lock = lock
            self.backend = backend
        }
    }

    /// A TTL that no check outlives by accident.
    public static let longTTL = Duration.seconds(60)

    /// Runs one check. `shortTTL` is the TTL of the expiry check (etcd's leases have a minimum of
    /// about 2 s); `expiryDeadline` bounds how long it waits for the lock to expire.
    public static func run(
        _ check: Check, _ a: Contender, _ b: Contender, shortTTL: Duration, expiryDeadline: Duration = .seconds(15)
    ) async throws {
        switch check {
        case .exactlyOneOfTwoAcquires: try await exactlyOneOfTwoAcquires(a, b)
        case .renewKeepsIt: try await renewKeepsIt(a, b)
        case .releaseLetsTheOtherAcquireAtOnce: try await releaseLetsTheOtherAcquireAtOnce(a, b)
        case .expiryLetsTheOtherAcquire: try await expiryLetsTheOtherAcquire(a, b, shortTTL, expiryDeadline)
        case .takeoverMakesTheOldRenewFail: try await takeoverMakesTheOldRenewFail(a, b)
        case .sameOwnerTakesOverItsEarlierRun: try await sameOwnerTakesOverItsEarlierRun(a, b)
        case .fencedWritesLand: try await fencedWritesLand(a)
        case .fencedWritesAfterTakeoverAreRefused: try await fencedWritesAfterTakeoverAreRefused(a, b)
        case .fencedConditionFailuresStayConditionFailures: try await fencedConditionFailures(a)
        case .noFenceWritesNothing: try await noFenceWritesNothing(a)
        }
    }

    // MARK: - The lock

    static func exactlyOneOfTwoAcquires(_ a: Contender, _ b: Contender) async throws {
        async let first = a.lock.acquire(as: a.owner, ttl: longTTL)
        async let second = b.lock.acquire(as: b.owner, ttl: longTTL)
        let attempts = try await [(a, first), (b, second)]
        let winners = attempts.filter { if case .acquired = $0.1 { true } else { false } }
        try #require(winners.count == 1, "attempts: \(attempts.map(\.1))")
        let winner = winners[0].0
        let loser = attempts.first { $0.0.owner != winner.owner }!
        #expect(loser.1 == .heldByOther(winner.owner))
        #expect(try await a.lock.holder() == winner.owner)
        #expect(try await b.lock.holder() == winner.owner)
        // Asking again changes nothing.
        #expect(try await loser.0.lock.acquire(as: loser.0.owner, ttl: longTTL) == .heldByOther(winner.owner))
    }

    static func renewKeepsIt(_ a: Contender, _ b: Contender) async throws {
        let fence = try await acquired(a)
        for _ in 0..<3 {
            #expect(try await a.lock.renew(fence, as: a.owner, ttl: longTTL))
            #expect(try await b.lock.acquire(as: b.owner, ttl: longTTL) == .heldByOther(a.owner))
        }
        #expect(try await a.lock.holder() == a.owner)
    }

    static func releaseLetsTheOtherAcquireAtOnce(_ a: Contender, _ b: Contender) async throws {
        let fence = try await acquired(a)
        try await a.lock.release(fence)
        #expect(try await b.lock.holder() == nil)
        let clock = ContinuousClock()
        let started = clock.now
        let next = try await acquired(b)
        print("MasterLockContract: \(type(of: b.lock)) acquired \(clock.now - started) after the release")
        #expect(next != fence)
        #expect(try await a.lock.holder() == b.owner)
        #expect(try await a.lock.renew(fence, as: a.owner, ttl: longTTL) == false)
        // Releasing a fence that is no longer ours leaves the new holder alone.
        try await a.lock.release(fence)
        #expect(try await b.lock.holder() == b.owner)
        #expect(try await b.lock.renew(next, as: b.owner, ttl: longTTL))
    }

    static func expiryLetsTheOtherAcquire(
        _ a: Contender, _ b: Contender, _ ttl: Duration, _ deadline: Duration
    ) async throws {
        let clock = ContinuousClock()
        // The TTL counts from the start of the acquire call, as the holder counts it.
        let acquiredAt = clock.now
        let fence = try await acquired(a, ttl: ttl)
        let answer = try await b.lock.acquire(as: b.owner, ttl: ttl)
        // The lock is only promised for the TTL from the start of the acquire; on a machine so loaded that
        // the second call answered after that, taking it was right.
        if clock.now - acquiredAt < ttl {
            #expect(answer == .heldByOther(a.owner))
        }
        if case .acquired = answer { return }
        // Nobody renews: wait for the lock to expire, polling, within a deadline.
        while try await b.lock.holder() != nil {
            try #require(clock.now - acquiredAt < deadline, "the lock did not expire within \(deadline)")
            try await Task.sleep(for: .milliseconds(50))
        }
        let expiredAfter = clock.now - acquiredAt
        #expect(expiredAfter >= ttl, "the lock expired \(expiredAfter) after it was taken, before its TTL of \(ttl)")
        let next = try await acquired(b, ttl: longTTL)
        print(
            "MasterLockContract: \(type(of: b.lock)) with TTL \(ttl) expired after \(expiredAfter); "
                + "taken over \(clock.now - acquiredAt) after the last acquire")
        #expect(next != fence)
        #expect(try await a.lock.renew(fence, as: a.owner, ttl: ttl) == false)
        #expect(try await a.lock.holder() == b.owner)
    }

    static func takeoverMakesTheOldRenewFail(_ a: Contender, _ b: Contender) async throws {
        let fence = try await acquired(a)
        try await takeOver(from: fence, by: b)
        #expect(try await a.lock.renew(fence, as: a.owner, ttl: longTTL) == false)
        #expect(try await a.lock.holder() == b.owner)
        #expect(try await a.lock.acquire(as: a.owner, ttl: longTTL) == .heldByOther(b.owner))
    }

    /// A bbs restarted with the same id does not wait out the lock of its own earlier run.
    static func sameOwnerTakesOverItsEarlierRun(_ a: Contender, _ b: Contender) async throws {
        let earlier = try await acquired(a)
        let restarted = Contender(owner: a.owner, lock: b.lock, backend: b.backend)
        let fence = try await acquired(restarted)
        #expect(fence != earlier)
        #expect(try await a.lock.renew(earlier, as: a.owner, ttl: longTTL) == false)
        #expect(try await restarted.lock.renew(fence, as: a.owner, ttl: longTTL))
        #expect(try await b.lock.holder() == a.owner)
    }

    // MARK: - FencedBackend

    static func fencedWritesLand(_ a: Contender) async throws {
        let fences = FixedFence(try await acquired(a))
        let store = FencedBackend(a.backend, fences: fences)
        let put = try await store.put("/contract/a", bytes("1"))
        #expect(try await a.backend.get("/contract/a")?.modRevision == put)
        try await store.put("/contract/b", bytes("2"), condition: .absent)
        try await store.put("/contract/a", bytes("3"), condition: .revision(put))
        #expect(try await store.delete("/contract/b"))
        #expect(try await store.delete("/contract/missing") == false)
        try await store.put("/contract/dir/x", bytes("x"))
        try await store.put("/contract/dir/y", bytes("y"))
        #expect(try await store.deletePrefix("/contract/dir/") == 2)
        let result = try await store.commit(
            Transaction(conditions: [.exists("/contract/a")], operations: [.put("/contract/c", bytes("c"))]))
        #expect(result.succeeded)
        let refused = try await store.commit(
            Transaction(conditions: [.absent("/contract/a")], operations: [.put("/contract/d", bytes("d"))]))
        #expect(!refused.succeeded)
        #expect(try await a.backend.get("/contract/a")?.value == bytes("3"))
        #expect(try await a.backend.get("/contract/b") == nil)
        #expect(try await a.backend.get("/contract/c")?.value == bytes("c"))
        #expect(try await a.backend.get("/contract/d") == nil)
        #expect(try await a.backend.count(prefix: "/contract/dir/") == 0)
        #expect(fences.refused.isEmpty)
    }

    static func fencedWritesAfterTakeoverAreRefused(_ a: Contender, _ b: Contender) async throws {
        let fence = try await acquired(a)
        let fences = FixedFence(fence)
        let store = FencedBackend(a.backend, fences: fences)
        let existing = try await store.put("/contract/kept", bytes("before"))
        try await store.put("/contract/dir/x", bytes("x"))
        try await takeOver(from: fence, by: b)

        let writes: [(String, @Sendable () async throws -> Void)] = [
            ("put", { try await store.put("/contract/new", bytes("late")) }),
            ("put .absent", { try await store.put("/contract/new", bytes("late"), condition: .absent) }),
            ("put .revision", { try await store.put("/contract/kept", bytes("late"), condition: .revision(existing)) }),
            ("delete", { try await store.delete("/contract/kept") }),
            ("delete .revision", { try await store.delete("/contract/kept", condition: .revision(existing)) }),
            ("deletePrefix", { try await store.deletePrefix("/contract/dir/") }),
            (
                "commit",
                {
                    _ = try await store.commit(
                        Transaction(operations: [.put("/contract/new", bytes("late")), .delete("/contract/kept")]))
                }
            ),
        ]
        for (name, write) in writes {
            await expectStoreError(.lockLost, name) { try await write() }
        }
        #expect(fences.refused == Array(repeating: fence, count: writes.count))
        #expect(try await b.backend.get("/contract/new") == nil)
        #expect(try await b.backend.get("/contract/kept")?.value == bytes("before"))
        #expect(try await b.backend.get("/contract/dir/x")?.value == bytes("x"))
        #expect(try await b.lock.holder() == b.owner)
    }

    static func fencedConditionFailures(_ a: Contender) async throws {
        let fences = FixedFence(try await acquired(a))
        let store = FencedBackend(a.backend, fences: fences)
        let revision = try await store.put("/contract/k", bytes("v1"))
        try await store.put("/contract/k", bytes("v2"))
        await expectStoreError(.conditionFailed, "put .absent") {
            try await store.put("/contract/k", bytes("x"), condition: .absent)
        }
        await expectStoreError(.conditionFailed, "put .revision") {
            try await store.put("/contract/k", bytes("x"), condition: .revision(revision))
        }
        await expectStoreError(.conditionFailed, "delete .revision") {
            try await store.delete("/contract/k", condition: .revision(revision))
        }
        #expect(try await a.backend.get("/contract/k")?.value == bytes("v2"))
        #expect(fences.refused.isEmpty)
    }

    static func noFenceWritesNothing(_ a: Contender) async throws {
        let fences = FixedFence(nil)
        let store = FencedBackend(a.backend, fences: fences)
        await expectStoreError(.lockLost, "put") { try await store.put("/contract/k", bytes("x")) }
        await expectStoreError(.lockLost, "commit") {
            _ = try await store.commit(Transaction(operations: [.put("/contract/k", bytes("x"))]))
        }
        #expect(try await a.backend.get("/contract/k") == nil)
        #expect(fences.refused.isEmpty)
    }

    // MARK: - Helpers

    /// Acquires for `contender`, failing the check when it does not get the lock.
    static func acquired(_ contender: Contender, ttl: Duration = longTTL) async throws -> LockFence {
        let attempt = try await contender.lock.acquire(as: contender.owner, ttl: ttl)
        guard case .acquired(let fence) = attempt else {
            throw ContractFailure("\(contender.owner.id) expected to acquire the lock, got \(attempt)")
        }
        return fence
    }

    /// Another process takes the lock from the holder of `fence` behind its back (as after an expiry
    /// it did not notice): the lock record is deleted and `taker` acquires.
    static func takeOver(from fence: LockFence, by taker: Contender) async throws {
        #expect(try await taker.backend.delete(fence.key))
        let next = try await acquired(taker)
        #expect(next != fence)
    }

    static func expectStoreError(
        _ kind: StoreError.Kind, _ what: String, sourceLocation: SourceLocation = #_sourceLocation,
        _ body: () async throws -> Void
    ) async {
        do {
            try await body()
            Issue.record("\(what): expected StoreError \(kind), nothing was thrown", sourceLocation: sourceLocation)
        } catch let error as StoreError {
            #expect(error.kind == kind, "\(what): \(error)", sourceLocation: sourceLocation)
        } catch {
            Issue.record("\(what): expected StoreError \(kind), got \(error)", sourceLocation: sourceLocation)
        }
    }

    static func bytes(_ string: String) -> [UInt8] { Array(string.utf8) }
}

/// A `FenceSource` that hands out one fixed fence and records every refusal: the election stand-in for
/// `FencedBackend` tests.
public final class FixedFence: FenceSource {
    private let state: Mutex<(fence: LockFence?, refused: [LockFence])>

    public init(_ fence: LockFence?) { state = Mutex((fence, [])) }

    public var currentFence: LockFence? { state.withLock { $0.fence } }

    /// Every fence the store refused, in order.
    public var refused: [LockFence] { state.withLock { $0.refused } }

    public func fenceRefused(_ fence: LockFence) { state.withLock { $0.refused.append(fence) } }
}

/// A contract check that could not go on.
public struct ContractFailure: Error, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}
