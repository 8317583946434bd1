import Foundation
import Store
import TestSupport
import Testing

/// The master lock contract on the SQLite store: two processes' worth of connections to one database file.
@Suite("RecordMasterLock on SQLite")
struct MasterLockContractTests {
    @Test("satisfies the master lock contract", arguments: MasterLockContract.Check.allCases)
    func contract(_ check: MasterLockContract.Check) async throws {
        let (first, directory) = try makeSQLiteBackend()
        defer { try? FileManager.default.removeItem(at: directory) }
        let second = try SQLiteBackend(path: first.path)
        let a = MasterLockContract.Contender(
            owner: LockOwner(id: "bbs-a", url: "https://10.0.0.1:8889"), lock: RecordMasterLock(backend: first),
            backend: first)
        let b = MasterLockContract.Contender(
            owner: LockOwner(id: "bbs-b", url: "https://10.0.0.2:8889"), lock: RecordMasterLock(backend: second),
            backend: second)
        try await MasterLockContract.run(check, a, b, shortTTL: .seconds(3))
        try await first.close()
        try await second.close()
    }

    @Test("the lock record names its holder and expiry in JSON")
    func recordShape() async throws {
        let (backend, directory) = try makeSQLiteBackend()
        defer { try? FileManager.default.removeItem(at: directory) }
        let now = Date(timeIntervalSince1970: 1_700_000_000)
        let lock = RecordMasterLock(backend: backend, now: { now })
        let owner = LockOwner(id: "bbs-a", url: "https://10.0.0.1:8889")
        guard case .acquired(let fence) = try await lock.acquire(as: owner, ttl: .seconds(15)) else {
            Issue.record("expected to acquire")
            return
        }
        let record = try #require(try await backend.get(RecordMasterLock.defaultKey))
        #expect(record.createRevision == fence.createRevision)
        let fields = try #require(try JSONSerialization.jsonObject(with: Data(record.value)) as? [String: Any])
        #expect(fields["owner_id"] as? String == "bbs-a")
        #expect(fields["advertise_url"] as? String == "https://10.0.0.1:8889")
        #expect((fields["expires_at_unix_ms"] as? NSNumber)?.int64Value == 1_700_000_015_000)
        #expect(fields.count == 3)
        try await backend.close()
    }
}
