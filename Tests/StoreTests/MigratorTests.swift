import Foundation
import Store
import Testing

/// Tiny synthetic migrations with the shapes of the shipped ones: 1→2 rewrites every record, 2→3 splits
/// each `desired/<guid>` into run and schedule halves (and its down merges them back).
enum SyntheticMigrations {
    struct Failure: Error, CustomStringConvertible {
        var description: String { "synthetic failure" }
    }

    static func rewrite() -> ClosureMigration {
        ClosureMigration(version: 2, name: "rewrite") { group, _ in
            group.map { Record(key: $0.key, value: $0.value + Array("+2".utf8)) }
        } down: { group, _ in
            try group.map { record in
                guard record.value.suffix(2) == Array("+2".utf8)[...] else { throw Failure() }
                return Record(key: record.key, value: Array(record.value.dropLast(2)))
            }
        }
    }

    static func split(failingOn failingKey: String? = nil) -> ClosureMigration {
        ClosureMigration(version: 3, name: "split") { group, _ in
            try group.flatMap { record -> [Record] in
                if record.key == failingKey { throw Failure() }
                guard record.key.hasPrefix(RecordKeys.desiredPrefix) else { return [record] }
                let guid = String(record.key.dropFirst(RecordKeys.desiredPrefix.count))
                let half = record.value.count / 2
                return [
                    Record(key: RecordKeys.desiredLRPRunInfo(guid), value: Array(record.value[..<half])),
                    Record(key: RecordKeys.desiredLRPSchedulingInfo(guid), value: Array(record.value[half...])),
                ]
            }
        } down: { group, _ in
            let run = group.first { $0.key.hasPrefix(RecordKeys.runInfoPrefix) }
            let schedule = group.first { $0.key.hasPrefix(RecordKeys.schedulingInfoPrefix) }
            if run == nil && schedule == nil { return group }
            guard let run, let schedule else { throw Failure() }
            let guid = String(run.key.dropFirst(RecordKeys.runInfoPrefix.count))
            return [Record(key: RecordKeys.desiredLRP(guid), value: run.value + schedule.value)]
        }
    }

    static func migrator(failingOn key: String? = nil, pageSize: Int = 7, batchSize: Int = 5) -> Migrator {
        var migrator = Migrator()
        migrator.pageSize = pageSize
        migrator.batchSize = batchSize
        migrator.registerMigration(rewrite())
        migrator.registerMigration(split(failingOn: key))
        return migrator
    }

    /// Data version 1: `count` desired LRPs, tasks and actual LRPs (two per desired).
    static func seed(_ backend: any Backend, count: Int) async throws -> [String: [UInt8]] {
        var records: [String: [UInt8]] = [:]
        for index in 0..<count {
            let guid = String(format: "g-%03d", index)
            records[RecordKeys.desiredLRP(guid)] = Array("desired \(guid) with some payload".utf8)
            records[RecordKeys.task(String(format: "t-%03d", index))] = Array("task \(index)".utf8)
            records[RecordKeys.actualLRP(guid, index: 0)] = Array("actual \(guid)/0".utf8)
            records[RecordKeys.actualLRP(guid, index: 1, evacuating: true)] = Array("evacuating \(guid)/1".utf8)
        }
        let layout = KeyLayout(version: 1)
        try await backend.commit(Transaction(operations: records.map { .put(layout.absolute($0.key), $0.value) }))
        try await backend.writeDataVersion(DataVersion(current: 1, target: 1))
        return records
    }

    static func contents(_ backend: any Backend, version: Int) async throws -> [String: [UInt8]] {
        let layout = KeyLayout(version: version)
        var result: [String: [UInt8]] = [:]
        var startAfter: String?
        while true {
            let page = try await backend.range(prefix: layout.root, startAfter: startAfter, limit: 100)
            for item in page.items { result[layout.relative(item.key)!] = item.value }
            guard page.more else { return result }
            startAfter = page.items.last?.key
        }
    }
}

@Suite("Migrator")
struct MigratorTests {
    let context = MigrationContext(codec: RecordCodec())

    @Test("migrations are registered in version order and chain from the base version")
    func registration() {
        let migrator = SyntheticMigrations.migrator()
        #expect(migrator.newestVersion == 3)
        #expect(migrator.migrations.map(\.version) == [2, 3])
        #expect(migrator.migration(producing: 3)?.name == "split")
        #expect(migrator.migration(producing: 1) == nil)
        #expect(migrator.knows(1) && migrator.knows(3) && !migrator.knows(4) && !migrator.knows(0))
    }

    @Test("up runs each record group through 1→2→3 in memory and writes the new root once; the old root goes at the end")
    func up() async throws {
        let (backend, directory) = try makeSQLiteBackend()
        defer { try? FileManager.default.removeItem(at: directory) }
        let original = try await SyntheticMigrations.seed(backend, count: 40)
        let summary = try await SyntheticMigrations.migrator().migrate(backend, from: 1, to: 3, context: context)
        #expect(summary.groups == 160)
        #expect(summary.recordsWritten == 200)
        let migrated = try await SyntheticMigrations.contents(backend, version: 3)
        #expect(migrated.count == 200)
        #expect(migrated[RecordKeys.desiredLRPRunInfo("g-007")].map { String(decoding: $0, as: UTF8.self) } == "desired g-007 wi")
        #expect(migrated[RecordKeys.task("t-007")] == Array("task 7+2".utf8))
        #expect(migrated[RecordKeys.desiredLRP("g-007")] == nil)
        #expect(try await backend.count(prefix: "/v1/") == 0)
        #expect(try await backend.count(prefix: "/v2/") == 0)
        #expect(try await backend.readDataVersion()?.0 == DataVersion(current: 3, target: 3))
        #expect(original.count == 160)
    }

    @Test("down after up gives back exactly the original records, merging the split halves")
    func downAfterUp() async throws {
        let (backend, directory) = try makeSQLiteBackend()
        defer { try? FileManager.default.removeItem(at: directory) }
        let original = try await SyntheticMigrations.seed(backend, count: 25)
        let migrator = SyntheticMigrations.migrator()
        try await migrator.migrate(backend, from: 1, to: 3, context: context)
        try await migrator.migrate(backend, from: 3, to: 1, context: context)
        #expect(try await SyntheticMigrations.contents(backend, version: 1) == original)
        #expect(try await backend.count(prefix: "/v3/") == 0)
        #expect(try await backend.readDataVersion()?.0 == DataVersion(current: 1, target: 1))
    }

    @Test("an interrupted run (version {1, 3}, a partial and stale new root) converges on the next run")
    func idempotent() async throws {
        let (backend, directory) = try makeSQLiteBackend()
        defer { try? FileManager.default.removeItem(at: directory) }
        let original = try await SyntheticMigrations.seed(backend, count: 30)
        let migrator = SyntheticMigrations.migrator()
        try await migrator.begin(backend, from: 1, to: 3)
        try await backend.put("/v3/task/t-000", Array("half-written".utf8))
        try await backend.put("/v3/task/stale", Array("from an older run".utf8))
        try await backend.put("/v2/task/t-001", Array("from an abandoned 1→2 run".utf8))
        #expect(try await SyntheticMigrations.contents(backend, version: 1) == original)
        try await migrator.migrate(backend, from: 1, to: 3, context: context)
        let once = try await SyntheticMigrations.contents(backend, version: 3)
        #expect(once[RecordKeys.task("t-000")] == Array("task 0+2".utf8))
        #expect(once["task/stale"] == nil)
        #expect(once.count == 150)
        #expect(try await backend.count(prefix: "/v2/") == 0)

        let (fresh, freshDirectory) = try makeSQLiteBackend()
        defer { try? FileManager.default.removeItem(at: freshDirectory) }
        _ = try await SyntheticMigrations.seed(fresh, count: 30)
        try await SyntheticMigrations.migrator(pageSize: 1000, batchSize: 1000).migrate(fresh, from: 1, to: 3, context: context)
        #expect(try await SyntheticMigrations.contents(fresh, version: 3) == once)
    }

    @Test("a migration that throws half-way resets the version to {1, 1}, removes the partial root and keeps the old one")
    func failure() async throws {
        let (backend, directory) = try makeSQLiteBackend()
        defer { try? FileManager.default.removeItem(at: directory) }
        let original = try await SyntheticMigrations.seed(backend, count: 100)
        let migrator = SyntheticMigrations.migrator(failingOn: RecordKeys.task("t-050"))
        await #expect(throws: MigrationError.self) {
            try await migrator.migrate(backend, from: 1, to: 3, context: context)
        }
        #expect(try await backend.readDataVersion()?.0 == DataVersion(current: 1, target: 1))
        #expect(try await backend.count(prefix: "/v3/") == 0)
        #expect(try await SyntheticMigrations.contents(backend, version: 1) == original)
        #expect(DataVersionStartup(binaryVersion: 1).decide(try await backend.readDataVersion()?.0) == .serve)
    }

    @Test("abandon returns an interrupted migration to the old root")
    func abandon() async throws {
        let (backend, directory) = try makeSQLiteBackend()
        defer { try? FileManager.default.removeItem(at: directory) }
        let original = try await SyntheticMigrations.seed(backend, count: 10)
        let migrator = SyntheticMigrations.migrator()
        try await migrator.begin(backend, from: 1, to: 3)
        try await backend.put("/v3/task/t-000", [1])
        #expect(try await migrator.abandon(backend) == DataVersion(current: 1, target: 1))
        #expect(try await backend.count(prefix: "/v3/") == 0)
        #expect(try await SyntheticMigrations.contents(backend, version: 1) == original)
    }

    @Test("an orphan half of a split record still migrates as its own group")
    func orphanHalf() async throws {
        let (backend, directory) = try makeSQLiteBackend()
        defer { try? FileManager.default.removeItem(at: directory) }
        try await backend.put("/v3/desired_lrp/schedule/lonely", Array("sched".utf8))
        try await backend.put("/v3/desired_lrp/run/pair", Array("ab".utf8))
        try await backend.put("/v3/desired_lrp/schedule/pair", Array("cd".utf8))
        try await backend.writeDataVersion(DataVersion(current: 3, target: 3))
        let migrator = SyntheticMigrations.migrator()
        // The merge needs both halves: the orphan makes the down fail cleanly instead of losing data.
        await #expect(throws: MigrationError.self) {
            try await migrator.migrate(backend, from: 3, to: 2, context: context)
        }
        #expect(try await backend.count(prefix: "/v3/") == 3)
        try await backend.delete("/v3/desired_lrp/schedule/lonely")
        try await migrator.migrate(backend, from: 3, to: 2, context: context)
        #expect(try await SyntheticMigrations.contents(backend, version: 2) == ["desired/pair": Array("abcd".utf8)])
    }

    @Test("unknown versions are refused with the range this release knows")
    func unknownVersions() async throws {
        let (backend, directory) = try makeSQLiteBackend()
        defer { try? FileManager.default.removeItem(at: directory) }
        await #expect(throws: MigrationError.self) {
            try await SyntheticMigrations.migrator().migrate(backend, from: 1, to: 4, context: context)
        }
        #expect(try await backend.readDataVersion() == nil)
    }
}
