/// The ordered list of migrations a release knows, and the runner that moves a store between data versions.
///
/// Reads like GRDB's `DatabaseMigrator`:
/// ```swift
/// var migrator = Migrator()
/// migrator.registerMigration(Base64ProtobufMigration())           // 1 → 2
/// migrator.registerMigration(version: 3, name: "split desired LRP") { group, context in … } down: { … }
/// try await migrator.migrate(backend, to: migrator.newestVersion, context: context)
/// ```
/// Data version 1 is the base (Diego's legacy JSON); migration `v` produces version `v` from `v - 1`, so
/// versions are registered 2, 3, … without gaps. See `Migrator+Run.swift` for how a run is made safe to
/// kill at any point.
public struct Migrator: Sendable {
    /// The data version no migration produces: where every chain starts.
    public static let baseVersion = 1

    /// Registered migrations, in version order.
    public private(set) var migrations: [any Migration] = []
    /// How many records a write transaction carries.
    public var batchSize = 500
    /// How many keys one range read returns.
    public var pageSize = 500

    public init() {}

    /// The newest data version this migrator can produce.
    public var newestVersion: Int { Self.baseVersion + migrations.count }

    /// Appends `migration`; it must produce the next version. Registering out of order is a programming
    /// error in the release, caught by the first test that builds the migrator.
    public mutating func registerMigration(_ migration: any Migration) {
        precondition(
            migration.version == newestVersion + 1,
            "migration '\(migration.name)' has version \(migration.version), expected \(newestVersion + 1)")
        migrations.append(migration)
    }

    /// Appends a migration written as closures.
    public mutating func registerMigration(
        version: Int, name: String, up: @escaping ClosureMigration.Step, down: @escaping ClosureMigration.Step
    ) {
        registerMigration(ClosureMigration(version: version, name: name, up: up, down: down))
    }

    /// The migration producing `version`, if registered.
    public func migration(producing version: Int) -> (any Migration)? {
        let index = version - Self.baseVersion - 1
        return migrations.indices.contains(index) ? migrations[index] : nil
    }

    /// Whether the migrator can move data between these versions (both known).
    public func knows(_ version: Int) -> Bool {
        version >= Self.baseVersion && version <= newestVersion
    }

    /// Runs one record group through the chain `from → to` in memory (up or down).
    public func transform(_ group: [Record], from: Int, to: Int, context: MigrationContext) throws -> [Record] {
        var records = group
        if to > from {
            for version in (from + 1)...to {
                guard let migration = migration(producing: version) else {
                    throw MigrationError("no migration produces data version \(version)")
                }
                records = try migration.up(records, context: context)
            }
        } else if to < from {
            for version in stride(from: from, to: to, by: -1) {
                guard let migration = migration(producing: version) else {
                    throw MigrationError("no migration produces data version \(version)")
                }
                records = try migration.down(records, context: context)
            }
        }
        return records
    }
}
