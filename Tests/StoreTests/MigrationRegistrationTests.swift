import Store
import Testing

@Suite("Shipped migrations")
struct MigrationRegistrationTests {
    @Test("are registered in order, one per data version, up to the compiled-in data version")
    func registeredInOrder() {
        let migrator = Migrator.shipped()
        #expect(migrator.migrations.map(\.version) == [2, 3])
        #expect(migrator.migrations.map(\.name) == ["base64 protobuf", "split desired LRP"])
        #expect(migrator.newestVersion == BBSDataVersion)
        #expect(migrator.migration(producing: 2) is Base64ProtobufMigration)
        #expect(migrator.migration(producing: 3) is SplitDesiredLRPMigration)
    }

    @Test(
        "the chain 1 → 3 → 1 gives back the legacy records byte for byte", arguments: MigrationFixtures.Codec.allCases)
    func chainRoundTrip(kind: MigrationFixtures.Codec) throws {
        let codec = try kind.codec
        let migrator = Migrator.shipped()
        let context = MigrationContext(codec: codec)
        let v1 = try MigrationFixtures.legacyRecords()
        let v3 = try MigrationFixtures.apply(v1) { try migrator.transform($0, from: 1, to: 3, context: context) }
        #expect(v3.contains { $0.key.hasPrefix(RecordKeys.schedulingInfoPrefix) })
        #expect(!v3.contains { $0.key.hasPrefix(RecordKeys.desiredPrefix) })
        let back = try MigrationFixtures.apply(v3) { try migrator.transform($0, from: 3, to: 1, context: context) }
        #expect(back == v1)
    }
}
