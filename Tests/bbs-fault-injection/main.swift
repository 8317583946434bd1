import BBSServer
import Store

// The tests' build of `bbs`: the shipped wiring (BBSMain) with test-only migrations, so that the shipped
// binary carries no test switches. Its own options come first and end at the first bbs argument:
//   bbs-fault-injection [--data-version N] [--fail-migration-at RELATIVE_KEY] serve|migrate ...
//   --data-version N            act as the release of data version N (its migrations are a prefix of ours)
//   --fail-migration-at KEY     the newest migration's up throws on the record group containing KEY

var arguments = Array(CommandLine.arguments.dropFirst())
var dataVersion = BBSDataVersion
var failingKey: String?
while let first = arguments.first, first.hasPrefix("--"), arguments.count >= 2 {
    switch first {
    case "--data-version": dataVersion = Int(arguments[1]) ?? dataVersion
    case "--fail-migration-at": failingKey = arguments[1]
    default: break
    }
    if first != "--data-version" && first != "--fail-migration-at" { break }
    arguments.removeFirst(2)
}

var migrator = Migrator()
for migration in Migrator.shipped().migrations where migration.version <= dataVersion {
    if let failingKey, migration.version == dataVersion {
        migrator.registerMigration(FailingMigration(wrapped: migration, failingKey: failingKey))
    } else {
        migrator.registerMigration(migration)
    }
}
await BBSMain.run(arguments: arguments, migrator: migrator)
