import Logging
import RPC
import Services
import Store

/// The life of a bbs process: listen, take part in the election, start up (data version, migrations) each
/// time the lock is won, serve, and on SIGTERM drain, release the lock and exit 0.
extension BBSServer {
    /// How the process ends.
    public enum Exit: Sendable, Equatable {
        /// SIGTERM: drained and released the lock.
        case terminated
        /// The data version table says shut down, or a migration failed; the message says why.
        case refused(code: Int32, message: String)
    }

    /// Runs until SIGTERM or a refused start-up.
    func run(termination: TerminationSignal) async throws -> Exit {
        state.observe { [rpcServer] phase in
            let status: HealthStatusBoard.ServingStatus = phase == .serving ? .serving : .notServing
            rpcServer.health.setStatus(status, forService: "")
            for name in Self.serviceNames { rpcServer.health.setStatus(status, forService: name) }
        }
        try await rpcServer.start()
        logger.info(
            "listening on \(settings.rpc.host):\(rpcServer.localPort)",
            metadata: ["advertise_url": "\(settings.advertiseURL)", "store": "\(store.description)"])
        termination.startServing()

        let exit = await withTaskGroup(of: Exit?.self) { group in
            group.addTask { await self.election.run() ; return nil }
            group.addTask { await self.followElection() }
            group.addTask {
                await termination.wait()
                return .terminated
            }
            var exit: Exit = .terminated
            for await result in group {
                guard let result else { continue }
                exit = result
                break
            }
            await shutDown(after: exit)
            group.cancelAll()
            return exit
        }
        return exit
    }

    /// Moves the serving phase with the election: start up each time the lock is won, stand by when lost.
    /// Returns a refusal when start-up refuses (and nil when the election stopped).
    func followElection() async -> Exit? {
        var startup: Task<Exit?, Never>?
        for await role in election.roleChanges() {
            switch role {
            case .master:
                guard startup == nil else { continue }
                state.enter(.starting)
                let task = Task { await self.startUp() }
                startup = task
                if let refusal = await task.value { return refusal }
            case .standby:
                startup?.cancel()
                startup = nil
                state.enter(.standby)
            case .stopped:
                return nil
            }
        }
        return nil
    }

    /// The data version state machine and migrations, through the fenced backend; then serve.
    /// Returns the refusal that ends the process, or nil (serving, or deposed meanwhile).
    func startUp() async -> Exit? {
        let migrator = settings.migrator
        let logger = self.logger
        let state = self.state
        do {
            let outcome = try await migrator.migrate(
                fencedBackend, context: MigrationContext(codec: settings.codec)
            ) { event in
                switch event {
                case .began(let from, let to):
                    let reason = "migrating data version \(from) to \(to)"
                    state.enter(.migrating(reason: reason))
                    logger.notice("\(reason) started")
                case .progress(let progress):
                    if progress.groupsRead % 5000 < 500 {
                        logger.info(
                            "migrating data version \(progress.from) to \(progress.to)",
                            metadata: ["groups_read": "\(progress.groupsRead)", "written": "\(progress.recordsWritten)"])
                    }
                }
            }
            if case .migrated(let summary) = outcome {
                logger.notice(
                    "data version \(summary.from) to \(summary.to) finished",
                    metadata: ["groups": "\(summary.groups)", "written": "\(summary.recordsWritten)"])
            }
            guard case .master = election.role, !Task.isCancelled else { return nil }
            state.enter(.serving)
            logger.notice("serving data version \(migrator.newestVersion)", metadata: ["outcome": "\(outcome)"])
            return nil
        } catch let refusal as Migrator.Refusal {
            return .refused(code: 2, message: "bbs will not start. \(refusal.whatHappened)\n\(refusal.whatToDo)")
        } catch let failure as MigrationError {
            return .refused(code: 3, message: failure.message)
        } catch let error as StoreError where error.kind == .lockLost {
            logger.error("lost the master lock during start-up; standing by", metadata: ["error": "\(error)"])
            return nil
        } catch {
            return .refused(code: 1, message: "bbs cannot start: the store failed during start-up: \(error)")
        }
    }

    /// Stop taking new calls, let those in flight finish (bounded), release the lock, close the store.
    func shutDown(after exit: Exit) async {
        logger.notice("shutting down", metadata: ["reason": "\(exit)"])
        state.enter(.shuttingDown)
        await rpcServer.shutdownGracefully(timeout: settings.drainTimeout)
        await election.stop()
        try? await store.backend.close()
    }
}
