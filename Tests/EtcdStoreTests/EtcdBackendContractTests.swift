import EtcdStore
import Store
import TestSupport
import Testing

/// The shared backend contract (the same checks the SQLite backend passes), each on a fresh etcd.
@Suite(
    "the backend contract on etcd", .serialized,
    .enabled(if: EtcdCluster.isAvailable, "needs /usr/bin/etcd (make deps)"))
struct EtcdBackendContractTests {
    @Test(arguments: BackendContract.Check.allCases)
    func contract(_ check: BackendContract.Check) async throws {
        // The contract commits a 600-operation transaction: raise etcd's Txn limit and ours together.
        let raised: (inout EtcdConfiguration) -> Void = { $0.maxTransactionOperations = 1024 }
        try await withEtcd(extraArguments: ["--max-txn-ops=1024"], configure: raised) { (_, etcd) async throws in
            try await BackendContract.run(check, on: etcd)
        }
    }
}
