import Store

/// A shipped migration whose up throws on one record group, to prove the failure path end to end.
struct FailingMigration: Migration {
    let wrapped: any Migration
    let failingKey: String

    var version: Int { wrapped.version }
    var name: String { wrapped.name + " (failing at \(failingKey))" }

    func up(_ group: [Record], context: MigrationContext) throws -> [Record] {
        if group.contains(where: { $0.key == failingKey }) {
            throw MigrationError("test migration failure at \(failingKey)")
        }
        return try wrapped.up(group, context: context)
    }

    func down(_ group: [Record], context: MigrationContext) throws -> [Record] {
        try wrapped.down(group, context: context)
    }
}
