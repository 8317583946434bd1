import Foundation
import Logging
import Store
import TestSupport
import Testing

/// Two elections on one SQLite file, as two bbs processes on one machine would run them.
@Suite("MasterElection on SQLite")
struct MasterElectionTests {
    @Test("runs the election contract", arguments: MasterElectionContract.Check.allCases)
    func contract(_ check: MasterElectionContract.Check) async throws {
        let (first, directory) = try makeSQLiteBackend()
        defer { try? FileManager.default.removeItem(at: directory) }
        let second = try SQLiteBackend(path: first.path)
        let a = MasterLockContract.Contender(
            owner: LockOwner(id: "bbs-a", url: "https://10.0.0.1:8889"), lock: RecordMasterLock(backend: first),
            backend: first)
        let b = MasterLockContract.Contender(
            owner: LockOwner(id: "bbs-b", url: "https://10.0.0.2:8889"), lock: RecordMasterLock(backend: second),
            backend: second)
        try await MasterElectionContract.run(check, a, b, ttl: .seconds(6)) { contender, ttl in
            MasterElection(
                lock: contender.lock, owner: contender.owner, ttl: ttl, retryInterval: .milliseconds(300),
                logger: Logger(label: "bbs.test.election.\(contender.owner.id)"))
        }
        try await first.close()
        try await second.close()
    }
}
