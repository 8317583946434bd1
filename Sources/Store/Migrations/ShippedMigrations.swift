/// The migrations this release ships, in the order they run.
///
/// Append-only: a new data version adds its migration at the end (and raises `BBSDataVersion`);
/// a shipped migration is never renumbered or edited, so every older store still reaches the newest
/// version through the same steps.
extension Migrator {
    /// A migrator with every shipped migration registered: 1 → 2 base64 protobuf, 2 → 3 split desired LRP.
    public static func shipped() -> Migrator {
        var migrator = Migrator()
        migrator.registerMigration(Base64ProtobufMigration())
        migrator.registerMigration(SplitDesiredLRPMigration())
        return migrator
    }
}
