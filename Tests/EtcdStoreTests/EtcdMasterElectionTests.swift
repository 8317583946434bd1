import EtcdStore
import Logging
import Store
import TestSupport
import Testing

/// Two elections on one etcd, each over its own connection, as two bbs VMs would run them.
@Suite(
    "MasterElection on etcd", .serialized, .enabled(if: EtcdCluster.isAvailable, "needs /usr/bin/etcd (make deps)"))
struct EtcdMasterElectionTests {
    @Test("runs the election contract", arguments: MasterElectionContract.Check.allCases)
    func contract(_ check: MasterElectionContract.Check) async throws {
        try await withEtcd { cluster, first in
            let second = try EtcdBackend(storeURL: cluster.storeURL)
            let a = MasterLockContract.Contender(
                owner: LockOwner(id: "bbs-a", url: "https://10.0.0.1:8889"), lock: EtcdMasterLock(backend: first),
                backend: first)
            let b = MasterLockContract.Contender(
                owner: LockOwner(id: "bbs-b", url: "https://10.0.0.2:8889"), lock: EtcdMasterLock(backend: second),
                backend: second)
            do {
                try await MasterElectionContract.run(check, a, b, ttl: .seconds(6)) { contender, ttl in
                    MasterElection(
                        lock: contender.lock, owner: contender.owner, ttl: ttl, retryInterval: .milliseconds(300),
                        logger: Logger(label: "bbs.test.election.\(contender.owner.id)"))
                }
            } catch {
                try? await second.close()
                throw error
            }
            try await second.close()
        }
    }
}
