import Foundation
import Store
import TestSupport
import Testing

@testable import EtcdStore

/// The master lock contract on a real etcd (the same checks `RecordMasterLock` passes on SQLite), plus
/// what only a lease-based lock has: keep-alive, revocation, and an acquire whose answer is lost.
@Suite(
    "EtcdMasterLock", .serialized, .enabled(if: EtcdCluster.isAvailable, "needs /usr/bin/etcd (make deps)"))
struct EtcdMasterLockTests {
    static let a = LockOwner(id: "bbs-a", url: "https://10.0.0.1:8889")
    static let b = LockOwner(id: "bbs-b", url: "https://10.0.0.2:8889")

    @Test("satisfies the master lock contract", arguments: MasterLockContract.Check.allCases)
    func contract(_ check: MasterLockContract.Check) async throws {
        try await withEtcd { cluster, first in
            let second = try EtcdBackend(storeURL: cluster.storeURL)
            do {
                // etcd's shortest lease is about 2 s (1.5 election timeouts, rounded up to whole seconds).
                try await MasterLockContract.run(
                    check, .init(owner: Self.a, lock: EtcdMasterLock(backend: first), backend: first),
                    .init(owner: Self.b, lock: EtcdMasterLock(backend: second), backend: second),
                    shortTTL: .seconds(3))
            } catch {
                try? await second.close()
                throw error
            }
            try await second.close()
        }
    }

    @Test("the lock key holds {owner_id, advertise_url} on a lease, and its create revision is the fence")
    func keyShape() async throws {
        try await withEtcd { _, etcd in
            let lock = EtcdMasterLock(backend: etcd)
            let fence = try await acquire(lock, as: Self.a, ttl: .seconds(10))
            let key = try #require(try await etcd.leasedKey(EtcdMasterLock.defaultKey))
            #expect(key.createRevision == fence.createRevision)
            #expect(try JSONDecoder().decode(LockOwner.self, from: Data(key.value)) == Self.a)
            let fields = try #require(try JSONSerialization.jsonObject(with: Data(key.value)) as? [String: String])
            #expect(fields == ["owner_id": "bbs-a", "advertise_url": "https://10.0.0.1:8889"])
            let ttl = try #require(try await etcd.renewLease(key.lease))
            #expect(ttl == .seconds(10))
        }
    }

    @Test("renewing keeps the key well past its TTL; a holder that stops renewing loses it")
    func keepAlive() async throws {
        try await withEtcd { _, etcd in
            let lock = EtcdMasterLock(backend: etcd)
            let clock = ContinuousClock()
            let fence = try await acquire(lock, as: Self.a, ttl: .seconds(2))
            let acquiredAt = clock.now
            while clock.now - acquiredAt < .seconds(5) {
                // The renewal cadence of a master (a third of the TTL, or faster).
                try await Task.sleep(for: .milliseconds(500))
                #expect(try await lock.renew(fence, as: Self.a, ttl: .seconds(2)))
            }
            #expect(try await lock.holder() == Self.a)
            let lastRenewal = clock.now
            while try await lock.holder() != nil {
                try #require(clock.now - lastRenewal < .seconds(10), "the key outlived its lease")
                try await Task.sleep(for: .milliseconds(50))
            }
            #expect(clock.now - lastRenewal >= .seconds(2))
            #expect(try await lock.renew(fence, as: Self.a, ttl: .seconds(2)) == false)
        }
    }

    @Test("release deletes the key and revokes its lease")
    func releaseRevokes() async throws {
        try await withEtcd { _, etcd in
            let lock = EtcdMasterLock(backend: etcd)
            let fence = try await acquire(lock, as: Self.a, ttl: .seconds(30))
            let lease = try #require(try await etcd.leasedKey(lock.key)).lease
            try await lock.release(fence)
            #expect(try await etcd.get(lock.key) == nil)
            #expect(try await etcd.renewLease(lease) == nil)
        }
    }

    @Test("an acquire whose Txn answer is lost still holds the lock, with the fence of the key it created")
    func lostAnswer() async throws {
        let cluster = try await EtcdCluster.start(members: 1)
        defer { cluster.stop() }
        let etcdPort = try #require(cluster.clientURLs[0].split(separator: ":").last.flatMap { UInt16($0) })
        let key = "/locks/lost-answer"
        let proxy = try AnswerDroppingProxy(target: etcdPort, markers: [key])
        defer { proxy.close() }
        // The proxy first, so the acquire starts there; the member itself second.
        let etcd = try EtcdBackend(storeURL: "etcd:http://127.0.0.1:\(proxy.port),\(cluster.clientURLs[0])")
        let lock = EtcdMasterLock(backend: etcd, key: key)
        let fence = try await acquire(lock, as: Self.a, ttl: .seconds(30))
        #expect(proxy.droppedMarkers == [key])
        #expect(try await etcd.get(key)?.createRevision == fence.createRevision)
        #expect(try await lock.renew(fence, as: Self.a, ttl: .seconds(30)))
        let other = EtcdMasterLock(backend: etcd, key: key)
        #expect(try await other.acquire(as: Self.b, ttl: .seconds(30)) == .heldByOther(Self.a))
        try await etcd.close()
    }

    @Test("a lock key that is not an owner record is a corrupt record, not a holder")
    func corruptKey() async throws {
        try await withEtcd { _, etcd in
            let lock = EtcdMasterLock(backend: etcd)
            try await etcd.put(lock.key, Array("not json".utf8))
            await #expect { try await lock.holder() } throws: { isStoreError($0, .corruptRecord, lock.key) }
            await #expect { try await lock.acquire(as: Self.a, ttl: .seconds(5)) } throws: {
                isStoreError($0, .corruptRecord, lock.key)
            }
            #expect(try await etcd.get(lock.key)?.value == Array("not json".utf8))
        }
    }

    private func acquire(_ lock: EtcdMasterLock, as owner: LockOwner, ttl: Duration) async throws -> LockFence {
        let attempt = try await lock.acquire(as: owner, ttl: ttl)
        guard case .acquired(let fence) = attempt else { throw ContractFailure("expected to acquire, got \(attempt)") }
        return fence
    }
}
