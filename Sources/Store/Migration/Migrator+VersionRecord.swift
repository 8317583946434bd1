/// The one start-up path: read `/version`, decide, migrate. Both `bbs serve` (to this release's data
/// version) and `bbs migrate --to N` (an operator's roll-back or roll-forward) come through here, as
/// GRDB's `migrate(db)` reads its own table instead of every caller passing where the data is.
extension Migrator {
    /// What `migrate(_:to:context:events:)` did.
    public enum Outcome: Sendable, Equatable {
        /// A fresh store: the version record was written at the target version.
        case initialized(DataVersion)
        /// The data was already at the target version (a leftover old root, if any, was removed).
        case alreadyCurrent(DataVersion)
        /// The data was migrated.
        case migrated(Summary)
    }

    /// What a run reports while it goes, for logs and the 503 reason.
    public enum Event: Sendable, Equatable {
        /// A migration from `from` to `to` begins (or continues after an interrupted run).
        case began(from: Int, to: Int)
        case progress(Progress)
    }

    /// Why the store will not be touched: the operator message of a shut-down row of Proposal A, or an
    /// impossible roll-back. Nothing was written.
    public struct Refusal: Error, Sendable, Equatable, CustomStringConvertible {
        public var whatHappened: String
        public var whatToDo: String

        public var description: String { "\(whatHappened)\n\(whatToDo)" }
    }

    /// Brings the store to data version `target` (this release's newest when nil) from whatever its
    /// version record says.
    ///
    /// For the newest version this is Proposal A (`DataVersionStartup`): initialise a fresh store, begin or
    /// continue a migration, serve, or refuse. For an older target (`bbs migrate --to N`) it runs the down
    /// migrations, refusing when another migration was interrupted. Throws `Refusal` (nothing written),
    /// `MigrationError` (a step failed; the store is back where it was) or a backend error.
    @discardableResult
    public func migrate(
        _ backend: any Backend, to target: Int? = nil, context: MigrationContext,
        events: (@Sendable (Event) -> Void)? = nil
    ) async throws -> Outcome {
        let target = target ?? newestVersion
        let stored = try await backend.readDataVersion()?.0
        let (from, to) = try plan(stored, target: target)
        guard let stored else {
            let version = DataVersion(current: target, target: target)
            do {
                try await backend.put(KeyLayout.versionKey, try version.encoded(), condition: .absent)
            } catch let error as StoreError where error.kind == .conditionFailed {
                throw Refusal(
                    whatHappened: "Another bbs wrote the data version record while this one was initialising it.",
                    whatToDo: "Start bbs again; it will read the record the other one wrote.")
            }
            return .initialized(version)
        }
        if from == to {
            if stored.target != stored.current || stored.current != to {
                try await backend.writeDataVersion(DataVersion(current: to, target: to))
            }
            // An end of migration killed between `{to, to}` and the old root's deletion leaves that root.
            try await removeStaleRoots(backend, keeping: to)
            return .alreadyCurrent(DataVersion(current: to, target: to))
        }
        events?(.began(from: from, to: to))
        let summary = try await migrate(backend, from: from, to: to, context: context) { events?(.progress($0)) }
        return .migrated(summary)
    }

    /// The migration `(from, to)` that brings `stored` to `target` (equal when none is needed), or the
    /// refusal.
    func plan(_ stored: DataVersion?, target: Int) throws(Refusal) -> (from: Int, to: Int) {
        if target == newestVersion {
            switch DataVersionStartup(binaryVersion: newestVersion).decide(stored) {
            case .initialize: return (target, target)
            case .serve: return (target, target)
            case .beginMigration(let from, let to), .continueMigration(let from, let to): return (from, to)
            case .shutDown(let reason): throw Refusal(whatHappened: reason.whatHappened, whatToDo: reason.whatToDo)
            }
        }
        guard let stored else {
            throw Refusal(
                whatHappened: "The store has no data version record: there is nothing to migrate.",
                whatToDo: "Start bbs to initialise it.")
        }
        guard knows(target), knows(stored.current) else {
            throw Refusal(
                whatHappened: "This release migrates between data versions \(Self.baseVersion) and \(newestVersion); "
                    + "the store is at \(stored) and the target is \(target).",
                whatToDo: "Use the release that knows both versions.")
        }
        guard stored.target == stored.current || stored.target == target else {
            throw Refusal(
                whatHappened: "A migration from data version \(stored.current) to \(stored.target) was interrupted.",
                whatToDo: "Run `bbs migrate --abandon` first (or `bbs migrate --to \(stored.target)` to finish it).")
        }
        return (stored.current, target)
    }
}
