/// The start-up decision of Proposal A: from the stored `/version` record and the data version compiled
/// into this release, what bbs does before serving.
///
/// A plain value type that does no I/O (STYLE: state machines as plain structs): the executable reads the
/// record, asks `decide`, and performs the action. Every row of the table is one `case` below and
/// one parameterised test.
///
/// | current | target | action |
/// |---|---|---|
/// | nil | nil | write `{BBS, BBS}`, serve |
/// | < BBS | < BBS | begin migration, end migration, serve |
/// | < BBS | == BBS | continue migration, end migration, serve |
/// | < BBS | > BBS | shut down |
/// | == BBS | < BBS | shut down |
/// | == BBS | == BBS | serve |
/// | == BBS | > BBS | shut down |
/// | > BBS | any | shut down |
public struct DataVersionStartup: Sendable, Equatable {
    /// What start-up must do.
    public enum Action: Sendable, Equatable {
        /// Fresh store: write `{BBS, BBS}`, then serve.
        case initialize(DataVersion)
        /// Write `{current, BBS}`, migrate, write `{BBS, BBS}`, serve.
        case beginMigration(from: Int, to: Int)
        /// The record already says `{current, BBS}`: migrate again from the untouched old root, end, serve.
        case continueMigration(from: Int, to: Int)
        /// The data is this release's: serve.
        case serve
        /// Write nothing, release the lock, exit non-zero with this operator message.
        case shutDown(ShutDownReason)
    }

    /// Why start-up refuses, and what the operator should do about it.
    public struct ShutDownReason: Sendable, Equatable, CustomStringConvertible {
        public var whatHappened: String
        public var whatToDo: String

        public var description: String { "\(whatHappened) \(whatToDo)" }
    }

    /// The data version compiled into this release.
    public let binaryVersion: Int

    public init(binaryVersion: Int = BBSDataVersion) {
        self.binaryVersion = binaryVersion
    }

    /// The action for a stored record (nil on a fresh store).
    public func decide(_ stored: DataVersion?) -> Action {
        decide(current: stored?.current, target: stored?.target)
    }

    /// The action for the two fields of the record, either of which may be missing.
    public func decide(current: Int?, target: Int?) -> Action {
        let bbs = binaryVersion
        switch (current, target) {
        case (nil, nil):
            return .initialize(DataVersion(current: bbs, target: bbs))
        case (let current?, let target?):
            if current < bbs && target < bbs { return .beginMigration(from: current, to: bbs) }
            if current < bbs && target == bbs { return .continueMigration(from: current, to: bbs) }
            if current < bbs { return .shutDown(newerMigrationInProgress(current: current, target: target)) }
            if current == bbs && target < bbs { return .shutDown(rollbackInterrupted(target: target)) }
            if current == bbs && target == bbs { return .serve }
            if current == bbs { return .shutDown(newerMigrationInProgress(current: current, target: target)) }
            return .shutDown(dataIsNewer(current: current))
        case (let current?, nil), (nil, let current?):
            return .shutDown(
                ShutDownReason(
                    whatHappened: "The data version record at /version is incomplete (only one of "
                        + "current_version/target_version, \(current), is set); bbs will not guess.",
                    whatToDo: "Inspect the store, then write {\"current_version\":N,\"target_version\":N} with the "
                        + "data version N whose root /vN/ holds the data, and start bbs again."))
        }
    }

    // MARK: - Operator messages

    func newerMigrationInProgress(current: Int, target: Int) -> ShutDownReason {
        ShutDownReason(
            whatHappened: "A newer bbs release (data version \(target)) was migrating this store from data version "
                + "\(current) to \(target) and did not finish; this release only knows data version "
                + "\(binaryVersion), so it will not touch the store.",
            whatToDo: "Start the newer release again to finish its migration, or run `bbs migrate --abandon` to "
                + "return the store to data version \(current)"
                + (current == binaryVersion ? " and then start this release." : ", then start a release of that version."))
    }

    func rollbackInterrupted(target: Int) -> ShutDownReason {
        ShutDownReason(
            whatHappened: "A rollback of the data from version \(binaryVersion) to \(target) (`bbs migrate --to "
                + "\(target)`) was started and did not finish.",
            whatToDo: "Run `bbs migrate --to \(target)` again to finish it and then start the release of data version "
                + "\(target), or run `bbs migrate --abandon` to stay at data version \(binaryVersion) and start this "
                + "release again.")
    }

    func dataIsNewer(current: Int) -> ShutDownReason {
        ShutDownReason(
            whatHappened: "The store holds data version \(current), newer than this release's data version "
                + "\(binaryVersion): a newer release migrated it, and this release cannot read it.",
            whatToDo: "Start a release of data version \(current) or later; to roll back to this release, first run "
                + "`bbs migrate --to \(binaryVersion)` with the newer release.")
    }
}
