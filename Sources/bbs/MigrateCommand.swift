import ArgumentParser
import Foundation
import Logging
import Store

/// `bbs migrate --to N` and `bbs migrate --abandon`: move the data between data versions by hand, for an
/// operator rolling back to an older release or giving up an interrupted migration.
struct MigrateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "migrate",
        abstract: "Migrate the data to another data version (up or down), or abandon an interrupted migration.")

    @OptionGroup var storeOptions: StoreOptions

    @Option(name: .long, help: "The data version to migrate to (e.g. 1 before starting a release of data version 1).")
    var to: Int?

    @Flag(name: .long, help: "Reset an interrupted migration {current, target} to {current, current}.")
    var abandon = false

    func validate() throws {
        if (to != nil) == abandon { throw ValidationError("pass exactly one of --to N and --abandon") }
    }

    func run() async throws {
        LoggingSystem.bootstrap(StreamLogHandler.standardError)
        let logger = Logger(label: "bbs.migrate")
        do {
            try await migrate(logger: logger)
        } catch let failure as StartupFailure {
            FileHandle.standardError.write(Data((failure.message + "\n").utf8))
            throw ExitCode(failure.exitCode)
        }
    }

    func migrate(logger: Logger) async throws {
        let store = try storeOptions.open()
        var lock: StoreLock?
        if let path = store.lockPath {
            lock = try await StoreLock.acquire(path: path) { logger.info("waiting for the lock \(path) (is bbs running?)") }
        }
        defer { lock?.release() }
        let migrator = try storeOptions.migrator(for: store)
        guard let (version, _) = try await store.backend.readDataVersion() else {
            throw StartupFailure(exitCode: 1, message: "the store has no data version record: nothing to migrate")
        }
        if abandon {
            let reset = try await migrator.abandon(store.backend)
            logger.info("data version record was \(version), now \(reset.map { "\($0)" } ?? "absent")")
            return
        }
        guard let to else { return }
        guard migrator.knows(to), migrator.knows(version.current) else {
            throw StartupFailure(
                exitCode: 1,
                message: "this release migrates between data versions 1 and \(migrator.newestVersion); the store is "
                    + "at \(version) and --to is \(to). Use the release that knows both versions.")
        }
        guard version.target == version.current || version.target == to else {
            throw StartupFailure(
                exitCode: 2,
                message: "a migration from data version \(version.current) to \(version.target) was interrupted. Run "
                    + "`bbs migrate --abandon` first (or `bbs migrate --to \(version.target)` to finish it).")
        }
        let startup = Startup(
            backend: store.backend, migrator: migrator, context: MigrationContext(codec: try storeOptions.codec()),
            gate: MigrationGate(), logger: logger)
        if version.current == to {
            try await store.backend.writeDataVersion(DataVersion(current: to, target: to))
            logger.info("the store is already at data version \(to)")
            return
        }
        try await startup.migrate(from: version.current, to: to)
    }
}
