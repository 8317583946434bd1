import Store
import Testing

/// The election's rules on a fake clock: every instant is `start + n seconds`, and nothing sleeps.
@Suite("MasterElection.StateMachine")
struct MasterElectionStateMachineTests {
    static let start = ContinuousClock.now
    static let ttl = Duration.seconds(15)
    static let retry = Duration.seconds(5)
    static let fence = LockFence(key: "/locks/bbs_master", createRevision: 7)
    static let other = LockOwner(id: "bbs-1", url: "https://10.0.0.2:8889")

    static func at(_ seconds: Double) -> ContinuousClock.Instant { start + .milliseconds(Int64(seconds * 1000)) }

    static func standby() -> MasterElection.StateMachine {
        MasterElection.StateMachine(ttl: ttl, retryInterval: retry)
    }

    /// A machine that became the master with a call started at `confirmedAt`.
    static func master(confirmedAt: Double = 0) -> MasterElection.StateMachine {
        var machine = standby()
        _ = machine.acquireAnswered(.acquired(fence), startedAt: at(confirmedAt))
        return machine
    }

    // MARK: - Acquire

    @Test("a standby asks for the lock on every tick")
    func standbyAcquires() {
        var machine = Self.standby()
        #expect(machine.tick(at: Self.at(0)) == .acquire)
        #expect(machine.tick(at: Self.at(5)) == .acquire)
        #expect(machine.state == .standby(master: nil))
        #expect(machine.fence(at: Self.at(5)) == nil)
    }

    @Test("an acquired lock makes it the master, counted from the moment the call started")
    func acquire() {
        var machine = Self.standby()
        #expect(machine.acquireAnswered(.acquired(Self.fence), startedAt: Self.at(2)) == .becomeMaster(Self.fence))
        #expect(machine.state == .master(fence: Self.fence, confirmedAt: Self.at(2)))
        #expect(machine.fence(at: Self.at(3)) == Self.fence)
        #expect(machine.fence(at: Self.at(2) + Self.ttl) == nil)
    }

    @Test("a lock held by another is announced only when the holder changes")
    func announceOnChange() {
        var machine = Self.standby()
        let third = LockOwner(id: "bbs-2", url: "https://10.0.0.3:8889")
        #expect(
            machine.acquireAnswered(.heldByOther(Self.other), startedAt: Self.at(0)) == .announce(master: Self.other))
        #expect(machine.acquireAnswered(.heldByOther(Self.other), startedAt: Self.at(5)) == .none)
        #expect(machine.acquireAnswered(.heldByOther(third), startedAt: Self.at(10)) == .announce(master: third))
        #expect(machine.state == .standby(master: third))
    }

    // MARK: - Renew

    @Test("a master renews on every tick within its TTL")
    func masterRenews() {
        var machine = Self.master()
        #expect(machine.tick(at: Self.at(5)) == .renew(Self.fence))
        #expect(machine.tick(at: Self.at(14.9)) == .renew(Self.fence))
    }

    @Test("a renewal restarts the TTL from the moment the renewal started")
    func renew() {
        var machine = Self.master()
        #expect(machine.renewAnswered(stillOurs: true, startedAt: Self.at(10)) == .none)
        #expect(machine.state == .master(fence: Self.fence, confirmedAt: Self.at(10)))
        #expect(machine.fence(at: Self.at(24.999)) == Self.fence)
        #expect(machine.fence(at: Self.at(25)) == nil)
    }

    @Test("a refused renewal deposes the master at once")
    func renewalRefused() {
        var machine = Self.master()
        guard case .depose = machine.renewAnswered(stillOurs: false, startedAt: Self.at(5)) else {
            Issue.record("expected depose")
            return
        }
        #expect(machine.state == .standby(master: nil))
        #expect(machine.fence(at: Self.at(5)) == nil)
        #expect(machine.tick(at: Self.at(6)) == .acquire)
    }

    @Test("a renewal answered after the master was deposed changes nothing")
    func lateRenewal() {
        var machine = Self.master()
        _ = machine.renewAnswered(stillOurs: false, startedAt: Self.at(5))
        #expect(machine.renewAnswered(stillOurs: true, startedAt: Self.at(5)) == .none)
        #expect(machine.state == .standby(master: nil))
    }

    // MARK: - TTL

    @Test(
        "without a renewal the fence holds until exactly confirmedAt + ttl",
        arguments: [(0.0, true), (1.0, true), (14.999, true), (15.0, false), (15.001, false), (60.0, false)])
    func fenceExpiry(_ offset: Double, _ holds: Bool) {
        let machine = Self.master(confirmedAt: 3)
        #expect((machine.fence(at: Self.at(3 + offset)) != nil) == holds)
    }

    @Test("a tick at or past the TTL deposes instead of renewing", arguments: [15.0, 16.0, 100.0])
    func tickPastTTL(_ offset: Double) {
        var machine = Self.master()
        guard case .depose = machine.tick(at: Self.at(offset)) else {
            Issue.record("expected depose at +\(offset)s")
            return
        }
        #expect(machine.state == .standby(master: nil))
    }

    @Test(
        "a failed call keeps the master before its TTL and deposes it at or after",
        arguments: [(5.0, false), (14.999, false), (15.0, true), (30.0, true)])
    func callFailedAsMaster(_ offset: Double, _ deposes: Bool) {
        var machine = Self.master()
        let action = machine.callFailed(at: Self.at(offset))
        if deposes {
            guard case .depose = action else {
                Issue.record("expected depose at +\(offset)s, got \(action)")
                return
            }
            #expect(machine.state == .standby(master: nil))
        } else {
            #expect(action == .none)
            #expect(machine.state == .master(fence: Self.fence, confirmedAt: Self.at(0)))
        }
    }

    @Test("a standby that cannot reach the store forgets the master it knew, once")
    func callFailedAsStandby() {
        var machine = Self.standby()
        #expect(machine.callFailed(at: Self.at(0)) == .none)
        _ = machine.acquireAnswered(.heldByOther(Self.other), startedAt: Self.at(1))
        #expect(machine.callFailed(at: Self.at(2)) == .announce(master: nil))
        #expect(machine.callFailed(at: Self.at(3)) == .none)
        #expect(machine.state == .standby(master: nil))
    }

    // MARK: - Fenced writes

    @Test("a write refused for the current fence deposes the master")
    func fencedWriteRefused() {
        var machine = Self.master()
        guard case .depose = machine.fencedWriteRefused(Self.fence) else {
            Issue.record("expected depose")
            return
        }
        #expect(machine.fence(at: Self.at(1)) == nil)
    }

    @Test("a write refused for a stale fence changes nothing")
    func staleFenceRefused() {
        var machine = Self.master()
        let stale = LockFence(key: Self.fence.key, createRevision: 3)
        #expect(machine.fencedWriteRefused(stale) == .none)
        #expect(machine.fence(at: Self.at(1)) == Self.fence)
        var standby = Self.standby()
        #expect(standby.fencedWriteRefused(Self.fence) == .none)
    }

    // MARK: - Stop

    @Test("stopping a master releases its lock")
    func stopAsMaster() {
        var machine = Self.master()
        #expect(machine.stop() == .release(Self.fence))
        #expect(machine.state == .stopped)
        #expect(machine.fence(at: Self.at(1)) == nil)
        #expect(machine.tick(at: Self.at(2)) == .none)
    }

    @Test("stopping a standby has nothing to release")
    func stopAsStandby() {
        var machine = Self.standby()
        #expect(machine.stop() == .none)
        #expect(machine.state == .stopped)
        #expect(machine.tick(at: Self.at(1)) == .none)
    }

    @Test("a lock acquired by a call that was under way at stop is given back")
    func stopThenAcquired() {
        var machine = Self.standby()
        _ = machine.stop()
        #expect(machine.acquireAnswered(.acquired(Self.fence), startedAt: Self.at(0)) == .release(Self.fence))
        #expect(machine.state == .stopped)
        #expect(machine.acquireAnswered(.heldByOther(Self.other), startedAt: Self.at(0)) == .none)
    }

    // MARK: - Timer

    @Test("a master ticks at a third of its TTL, everyone else at the retry interval")
    func tickDelays() {
        #expect(Self.standby().nextTickDelay == Self.retry)
        #expect(Self.master().nextTickDelay == Self.ttl / 3)
        var stopped = Self.master()
        _ = stopped.stop()
        #expect(stopped.nextTickDelay == Self.retry)
    }
}
