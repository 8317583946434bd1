import Foundation
import Models
import Store
import TestSupport
import Testing

/// The shipped migrations run by the real `Migrator` against a real SQLite file.
@Suite("Shipped migrations on SQLite")
struct MigrationSQLiteTests {
    static let records = 400

    /// Every key-value under `prefix`, in key order.
    func all(_ backend: any Backend, under prefix: String) async throws -> [KeyValue] {
        var items: [KeyValue] = []
        var after: String? = nil
        while true {
            let page = try await backend.range(prefix: prefix, startAfter: after, limit: 128)
            items += page.items
            guard page.more, let last = page.items.last else { return items }
            after = last.key
        }
    }

    func relativeRecords(_ items: [KeyValue], version: Int) -> [Record] {
        let layout = KeyLayout(version: version)
        return items.map { Record(key: layout.relative($0.key) ?? $0.key, value: $0.value) }
    }

    @Test("a legacy store migrates to data version 3: every record once, newest format, same content, old root gone")
    func upToNewest() async throws {
        let (backend, directory) = try makeSQLiteBackend()
        defer { try? FileManager.default.removeItem(at: directory) }
        let counts = try await LegacyRecords(backend: backend).fillSample(records: Self.records)
        #expect(counts.total == Self.records)
        let v1 = relativeRecords(try await all(backend, under: "/v1/"), version: 1)
        let codec = RecordCodec()

        let summary = try await Migrator.shipped().migrate(
            backend, from: 1, to: 3, context: MigrationContext(codec: codec))
        #expect(summary.to == 3)
        #expect(try await backend.readDataVersion()?.0 == DataVersion(current: 3, target: 3))
        #expect(try await backend.count(prefix: "/v1/") == 0)
        #expect(try await backend.count(prefix: "/v2/") == 0)
        let v3 = relativeRecords(try await all(backend, under: "/v3/"), version: 3)
        #expect(v3.count == Self.records + counts.desiredLRPs)
        #expect(try await backend.count(prefix: "/v3/desired/") == 0)
        #expect(try await backend.count(prefix: "/v3/desired_lrp/schedule/") == counts.desiredLRPs)
        #expect(try await backend.count(prefix: "/v3/desired_lrp/run/") == counts.desiredLRPs)
        for record in v3 {
            #expect(try RecordCodec.encoding(of: record.value) == .base64, "\(record.key)")
        }
        // Same content: the legacy records, migrated in memory by the same chain, decode equal.
        let expected = try MigrationFixtures.apply(v1) {
            try Migrator.shipped().transform($0, from: 1, to: 3, context: MigrationContext(codec: codec))
        }
        #expect(try MigrationFixtures.contents(v3, codec: codec) == MigrationFixtures.contents(expected, codec: codec))
        try await backend.close()
    }

    @Test("migrating back down to data version 1 gives back the original records byte for byte")
    func downAfterUp() async throws {
        let (backend, directory) = try makeSQLiteBackend()
        defer { try? FileManager.default.removeItem(at: directory) }
        try await LegacyRecords(backend: backend).fillSample(records: Self.records)
        let original = try await all(backend, under: "/v1/").map { [$0.key: $0.value] }
        let context = MigrationContext(codec: RecordCodec())
        try await Migrator.shipped().migrate(backend, from: 1, to: 3, context: context)
        try await Migrator.shipped().migrate(backend, from: 3, to: 1, context: context)
        #expect(try await backend.readDataVersion()?.0 == DataVersion(current: 1, target: 1))
        #expect(try await backend.count(prefix: "/v3/") == 0)
        let restored = try await all(backend, under: "/v1/").map { [$0.key: $0.value] }
        #expect(restored == original)
        try await backend.close()
    }

    @Test("an interrupted migration with a partial new root converges to the same records when run again")
    func interruptedRun() async throws {
        let (backend, directory) = try makeSQLiteBackend()
        defer { try? FileManager.default.removeItem(at: directory) }
        try await LegacyRecords(backend: backend).fillSample(records: Self.records)
        let codec = RecordCodec()
        let migrator = Migrator.shipped()
        // As if killed mid-run: the version record says {1, 3} and /v3/ holds a partial, stale copy.
        try await backend.writeDataVersion(DataVersion(current: 1, target: 3))
        try await backend.put("/v3/desired_lrp/schedule/half-written", Array("01garbage".utf8))
        try await backend.put("/v3/task/task-00000000", Array("stale".utf8))
        try await migrator.migrate(backend, from: 1, to: 3, context: MigrationContext(codec: codec))
        let rerun = relativeRecords(try await all(backend, under: "/v3/"), version: 3)
        #expect(!rerun.contains { $0.key.hasSuffix("half-written") })

        let (clean, cleanDirectory) = try makeSQLiteBackend()
        defer { try? FileManager.default.removeItem(at: cleanDirectory) }
        try await LegacyRecords(backend: clean).fillSample(records: Self.records)
        try await migrator.migrate(clean, from: 1, to: 3, context: MigrationContext(codec: codec))
        let once = relativeRecords(try await all(clean, under: "/v3/"), version: 3)
        #expect(try MigrationFixtures.contents(rerun, codec: codec) == MigrationFixtures.contents(once, codec: codec))
        try await backend.close()
        try await clean.close()
    }
}
