import Logging
import Store

/// Performs what `DataVersionStartup` decides: initialise, migrate (begin or continue, then end), serve,
/// or refuse with the operator message.
///
/// The decision is the plain state machine in Store; this type only does its I/O.
struct Startup {
    let backend: any Backend
    let migrator: Migrator
    let context: MigrationContext
    let gate: MigrationGate
    let logger: Logger

    /// Returns when the store is ready to serve at `migrator.newestVersion`; throws `StartupFailure` otherwise.
    func run() async throws {
        let binary = migrator.newestVersion
        let stored = try await backend.readDataVersion()?.0
        let action = DataVersionStartup(binaryVersion: binary).decide(stored)
        logger.info("data version record \(stored.map { "\($0)" } ?? "absent"), this release \(binary): \(action)")
        switch action {
        case .initialize(let version):
            do {
                try await backend.put(KeyLayout.versionKey, try version.encoded(), condition: .absent)
            } catch let error as StoreError where error.kind == .conditionFailed {
                throw StartupFailure(exitCode: 1, message: "another bbs wrote the data version record first; restart")
            }
        case .serve:
            // An end of migration killed between `{BBS, BBS}` and the old root's deletion leaves that root behind.
            try await migrator.removeStaleRoots(backend, keeping: binary)
        case .beginMigration(let from, let to), .continueMigration(let from, let to):
            try await migrate(from: from, to: to)
        case .shutDown(let reason):
            throw StartupFailure(exitCode: 2, message: "bbs will not start. \(reason.whatHappened)\n\(reason.whatToDo)")
        }
    }

    /// Runs one migration behind the closed gate.
    func migrate(from: Int, to: Int) async throws {
        let reason = "migrating data version \(from) to \(to)"
        gate.close(reason: reason)
        logger.info("\(reason) started")
        let clock = ContinuousClock()
        let start = clock.now
        let logger = self.logger
        do {
            let summary = try await migrator.migrate(backend, from: from, to: to, context: context) { progress in
                if progress.groupsRead % 5000 < 500 {
                    logger.info("\(reason): \(progress.groupsRead) record groups read, \(progress.recordsWritten) written")
                }
            }
            logger.info(
                "\(reason) finished: \(summary.groups) record groups, \(summary.recordsWritten) records written in \(clock.now - start)")
        } catch let error as MigrationError {
            throw StartupFailure(exitCode: 3, message: error.message)
        }
        gate.open()
    }
}
