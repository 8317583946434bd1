import ArgumentParser
import Foundation
import Logging
import Store

/// `bbs migrate --to N` and `bbs migrate --abandon`: move the data between data versions by hand, for an
/// operator rolling back to an older release or giving up an interrupted migration.
///
/// Holds the master lock for the whole run (waiting while a bbs serves), and writes through the same
/// fenced backend and the same start-up path (`Migrator.migrate(_:to:)`) as the server.
struct MigrateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "migrate",
        abstract: "Migrate the data to another data version (up or down), or abandon an interrupted migration.")

    @OptionGroup var config: ConfigOptions
    @OptionGroup var storeOptions: StoreOptions

    @Option(name: .long, help: "The data version to migrate to (e.g. 1 before starting a release of data version 1).")
    var to: Int?

    @Flag(name: .long, help: "Reset an interrupted migration {current, target} to {current, current}.")
    var abandon = false

    @Option(name: .customLong("lock-ttl"), help: "TTL of the master lock while migrating (default 15s).")
    var lockTTL: String?

    func validate() throws {
        if (to != nil) == abandon { throw ValidationError("pass exactly one of --to N and --abandon") }
    }

    func run() async throws {
        let file = try config.load()
        JSONLogHandler.bootstrap(level: try LogLevelOption.resolve(config.logLevel, file: file))
        let logger = Logger(label: "bbs.migrate")
        let settings = try storeOptions.resolve(file)
        let store = try settings.connect()
        var migrator = BBSMain.migrator
        migrator.batchSize = store.batchSize
        let ttl = try ServerOptions.duration(lockTTL, file?.lockTTL, default: .seconds(15), flag: "--lock-ttl")

        let election = MasterElection(
            lock: store.lock, owner: LockOwner(id: "bbs-migrate-\(UUID().uuidString.lowercased())", url: "bbs migrate"),
            ttl: ttl, retryInterval: .milliseconds(500), logger: logger)
        let running = Task { await election.run() }
        defer { running.cancel() }
        var told = false
        for await role in election.roleChanges() {
            if case .master = role { break }
            if !told, case .standby(let master?) = role {
                logger.notice("waiting for the master lock, held by \(master)")
                told = true
            }
        }
        let backend = FencedBackend(store.backend, fences: election)
        do {
            try await perform(backend, migrator: migrator, codec: settings.codec, logger: logger)
        } catch let refusal as Migrator.Refusal {
            await election.stop()
            throw BBSStartupError(exitCode: 2, message: "\(refusal.whatHappened)\n\(refusal.whatToDo)")
        } catch let failure as MigrationError {
            await election.stop()
            throw BBSStartupError(exitCode: 3, message: failure.message)
        }
        await election.stop()
        try? await store.backend.close()
    }

    private func perform(_ backend: any Backend, migrator: Migrator, codec: RecordCodec, logger: Logger) async throws {
        if abandon {
            let reset = try await migrator.abandon(backend)
            logger.notice("data version record is now \(reset.map { "\($0)" } ?? "absent")")
            return
        }
        guard let to else { return }
        let outcome = try await migrator.migrate(backend, to: to, context: MigrationContext(codec: codec)) { event in
            if case .began(let from, let to) = event { logger.notice("migrating data version \(from) to \(to) started") }
        }
        logger.notice("data version \(to) reached", metadata: ["outcome": "\(outcome)"])
    }
}
