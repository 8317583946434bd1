import Foundation
import Models
import Store
import TestSupport
import Testing

@Suite("Migration 1 → 2: base64 protobuf")
struct Migration2Base64ProtobufTests {
    let migration = Base64ProtobufMigration()

    @Test(
        "up rewrites every record in the codec's envelope with the same content and keys",
        arguments: MigrationFixtures.Codec.allCases)
    func up(kind: MigrationFixtures.Codec) throws {
        let codec = try kind.codec
        let context = MigrationContext(codec: codec)
        let v1 = try MigrationFixtures.legacyRecords()
        let v2 = try MigrationFixtures.apply(v1) { try migration.up($0, context: context) }
        #expect(v2.map(\.key) == v1.map(\.key))
        let prefix = codec.writeEncoding.prefix
        for record in v2 {
            #expect(Array(record.value.prefix(2)) == prefix, "\(record.key)")
            #expect(try RecordCodec.encoding(of: record.value) == codec.writeEncoding)
        }
        #expect(try MigrationFixtures.contents(v2, codec: codec) == MigrationFixtures.contents(v1, codec: codec))
    }

    @Test("a desired LRP comes out as the base64 protobuf Diego wrote: \"01\" + base64(0x02 0x00 + proto)")
    func envelopeBytes() throws {
        let desired = LegacyRecords.sampleDesiredLRP(7)
        let (key, value) = try LegacyRecords.record(desired)
        let relative = try #require(LegacyRecords.layout.relative(key))
        let out = try migration.up(
            [Record(key: relative, value: value)], context: MigrationContext(codec: RecordCodec()))
        let stored = try #require(out.first?.value)
        #expect(stored.starts(with: Array("01".utf8)))
        let payload = try #require(Data(base64Encoded: Data(stored.dropFirst(2))))
        #expect(Array(payload.prefix(2)) == [2, 0])
        #expect(try Diego_Bbs_DesiredLRP(serializedBytes: payload.dropFirst(2)) == desired)
    }

    @Test(
        "down gives back the legacy JSON data version 1 wrote, byte for byte",
        arguments: MigrationFixtures.Codec.allCases)
    func downAfterUp(kind: MigrationFixtures.Codec) throws {
        let codec = try kind.codec
        let context = MigrationContext(codec: codec)
        let v1 = try MigrationFixtures.legacyRecords()
        let v2 = try MigrationFixtures.apply(v1) { try migration.up($0, context: context) }
        let back = try MigrationFixtures.apply(v2) { try migration.down($0, context: context) }
        #expect(back == v1)
        #expect(back.allSatisfy { $0.value.first == UInt8(ascii: "{") })
    }

    @Test(
        "up is idempotent: running it over its own output changes no record's content",
        arguments: MigrationFixtures.Codec.allCases)
    func idempotent(kind: MigrationFixtures.Codec) throws {
        let codec = try kind.codec
        let context = MigrationContext(codec: codec)
        let v1 = try MigrationFixtures.legacyRecords()
        let once = try MigrationFixtures.apply(v1) { try migration.up($0, context: context) }
        let twice = try MigrationFixtures.apply(once) { try migration.up($0, context: context) }
        #expect(twice.map(\.key) == once.map(\.key))
        #expect(try MigrationFixtures.contents(twice, codec: codec) == MigrationFixtures.contents(once, codec: codec))
        // Down is idempotent too: legacy JSON stays the same legacy JSON.
        let down = try MigrationFixtures.apply(v1) { try migration.down($0, context: context) }
        #expect(down == v1)
    }

    @Test("a Diego-style v1 domain (empty value, TTL in etcd) becomes a domain that never expires")
    func emptyDomain() throws {
        let codec = RecordCodec()
        let out = try migration.up([Record(key: "domain/cf-apps", value: [])], context: MigrationContext(codec: codec))
        let domain = try codec.decode(Diego_Bbs_Domain.self, from: try #require(out.first?.value))
        #expect(domain.domain == "cf-apps" && domain.expireTime == 0)
    }

    @Test("a record that is not JSON of its kind fails the migration, naming the key")
    func corrupt() {
        let error = #expect(throws: MigrationError.self) {
            try migration.up(
                [Record(key: "task/t1", value: Array("{not json".utf8))],
                context: MigrationContext(codec: RecordCodec()))
        }
        #expect(error?.message.contains("task/t1") == true)
    }

    @Test("keys no migration knows pass unchanged")
    func unknownKeys() throws {
        let record = Record(key: "something/else", value: [1, 2, 3])
        #expect(try migration.up([record], context: MigrationContext(codec: RecordCodec())) == [record])
        #expect(try migration.down([record], context: MigrationContext(codec: RecordCodec())) == [record])
    }
}
