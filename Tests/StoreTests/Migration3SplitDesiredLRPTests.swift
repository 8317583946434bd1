import Models
import Store
import TestSupport
import Testing

@Suite("Migration 2 → 3: split desired LRP")
struct Migration3SplitDesiredLRPTests {
    let migration = SplitDesiredLRPMigration()

    func v2(_ codec: RecordCodec) throws -> [Record] {
        let context = MigrationContext(codec: codec)
        return try MigrationFixtures.apply(try MigrationFixtures.legacyRecords()) {
            try Base64ProtobufMigration().up($0, context: context)
        }
    }

    @Test(
        "up turns each desired LRP into its scheduling info and run info and keeps the rest",
        arguments: MigrationFixtures.Codec.allCases)
    func up(kind: MigrationFixtures.Codec) throws {
        let codec = try kind.codec
        let context = MigrationContext(codec: codec)
        let before = try v2(codec)
        let after = try MigrationFixtures.apply(before) { try migration.up($0, context: context) }
        let guid = LegacyRecords.sampleDesiredLRP(0).processGuid
        #expect(!after.contains { $0.key.hasPrefix(RecordKeys.desiredPrefix) })
        let scheduling = try #require(after.first { $0.key == RecordKeys.desiredLRPSchedulingInfo(guid) })
        let run = try #require(after.first { $0.key == RecordKeys.desiredLRPRunInfo(guid) })
        let info = try codec.decode(Diego_Bbs_DesiredLRPSchedulingInfo.self, from: scheduling.value)
        let runInfo = try codec.decode(Diego_Bbs_DesiredLRPRunInfo.self, from: run.value)
        #expect(Diego_Bbs_DesiredLRP(schedulingInfo: info, runInfo: runInfo) == LegacyRecords.sampleDesiredLRP(0))
        #expect(runInfo.createdAt == 0)
        let others = before.filter { !$0.key.hasPrefix(RecordKeys.desiredPrefix) }
        #expect(others.allSatisfy { record in after.contains(record) })
        #expect(after.count == before.count + 2)
    }

    @Test("down after up returns the same records", arguments: MigrationFixtures.Codec.allCases)
    func downAfterUp(kind: MigrationFixtures.Codec) throws {
        let codec = try kind.codec
        let context = MigrationContext(codec: codec)
        let before = try v2(codec)
        let after = try MigrationFixtures.apply(before) { try migration.up($0, context: context) }
        let back = try MigrationFixtures.apply(after) { try migration.down($0, context: context) }
        #expect(back.map(\.key) == before.map(\.key))
        #expect(try MigrationFixtures.contents(back, codec: codec) == MigrationFixtures.contents(before, codec: codec))
    }

    @Test("up is idempotent: split records pass through a second run unchanged")
    func idempotent() throws {
        let codec = RecordCodec()
        let context = MigrationContext(codec: codec)
        let once = try MigrationFixtures.apply(try v2(codec)) { try migration.up($0, context: context) }
        let twice = try MigrationFixtures.apply(once) { try migration.up($0, context: context) }
        #expect(twice == once)
        let mergedOnce = try MigrationFixtures.apply(once) { try migration.down($0, context: context) }
        let mergedTwice = try MigrationFixtures.apply(mergedOnce) { try migration.down($0, context: context) }
        #expect(mergedTwice == mergedOnce)
    }

    @Test("down refuses a desired LRP with only one half, naming it")
    func halfMissing() throws {
        let codec = RecordCodec()
        let info = LegacyRecords.sampleDesiredLRP(3).schedulingInfo
        let record = Record(
            key: RecordKeys.desiredLRPSchedulingInfo(info.desiredLrpKey.processGuid), value: try codec.encode(info))
        let error = #expect(throws: MigrationError.self) {
            try migration.down([record], context: MigrationContext(codec: codec))
        }
        #expect(error?.message.contains(info.desiredLrpKey.processGuid) == true)
        #expect(error?.message.contains("run info") == true)
    }
}
