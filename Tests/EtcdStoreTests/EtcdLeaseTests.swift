import EtcdStore
import Store
import TestSupport
import Testing

@Suite(
    "etcd leases, the basis of a master lock", .enabled(if: EtcdCluster.isAvailable, "needs /usr/bin/etcd (make deps)"))
struct EtcdLeaseTests {
    @Test("a key put with a lease lives while the lease is renewed and goes when it is revoked")
    func renewAndRevoke() async throws {
        try await withEtcd { _, etcd in
            let lease = try await etcd.grantLease(ttl: .seconds(5))
            try await etcd.put("/lock", bytes("bbs-0"), condition: .absent, lease: lease)
            let ttl = try #require(try await etcd.renewLease(lease))
            #expect(ttl >= .seconds(4) && ttl <= .seconds(5))
            #expect(try await etcd.get("/lock")?.value == bytes("bbs-0"))
            try await etcd.revokeLease(lease)
            #expect(try await etcd.get("/lock") == nil)
            #expect(try await etcd.renewLease(lease) == nil)
            try await etcd.revokeLease(lease)  // already gone: fine
        }
    }

    @Test("a key whose lease is not renewed disappears on its own")
    func expiry() async throws {
        try await withEtcd { _, etcd in
            let lease = try await etcd.grantLease(ttl: .seconds(2))
            try await etcd.put("/lock", bytes("bbs-0"), condition: .absent, lease: lease)
            var gone = false
            for _ in 0..<100 where !gone {
                try await Task.sleep(for: .milliseconds(100))
                gone = try await etcd.get("/lock") == nil
            }
            #expect(gone)
            #expect(try await etcd.renewLease(lease) == nil)
            // The lock is free again for the next holder.
            try await etcd.put("/lock", bytes("bbs-1"), condition: .absent)
        }
    }
}
