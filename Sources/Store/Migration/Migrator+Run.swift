/// Running migrations against a backend: begin, copy through the chain, end; abandon; failure rollback.
///
/// Why it is safe to kill at any point: the old root `/v<current>/` is never written while the version
/// record says `{current, target}`; the new root `/v<target>/` is rebuilt from scratch on every run (its
/// partial contents are deleted first) and only becomes the data when `/version` is set to
/// `{target, target}`. Deleting the old root comes after that write, and a leftover old root is removed
/// by `removeStaleRoots` on the next start.
extension Migrator {
    /// How far a run has come, for logs and the 503 reason.
    public struct Progress: Sendable, Equatable {
        public var from: Int
        public var to: Int
        public var groupsRead: Int
        public var recordsWritten: Int
    }

    /// What a finished run did.
    public struct Summary: Sendable, Equatable {
        public var from: Int
        public var to: Int
        public var groups: Int
        public var recordsWritten: Int
    }

    /// Moves the store from data version `from` to `to` (up or down), leaving `/version` at `{to, to}`.
    ///
    /// Works whether the run is new (`{from, from}`) or was interrupted (`{from, to}`). When a migration
    /// step throws, the version record goes back to `{from, from}`, the partial new root is deleted and a
    /// `MigrationError` is thrown: the previous release finds its data untouched. A backend error is
    /// thrown as is; the next run starts over from the intact old root.
    ///
    /// The low-level run, for tests and benches: callers outside the package use `migrate(_:to:context:events:)`,
    /// which reads the version record itself.
    @discardableResult
    package func migrate(
        _ backend: any Backend, from: Int, to: Int, context: MigrationContext,
        progress: (@Sendable (Progress) -> Void)? = nil
    ) async throws -> Summary {
        guard knows(from), knows(to) else {
            throw MigrationError(
                "cannot migrate data version \(from) to \(to): this release knows data versions "
                    + "\(Self.baseVersion) to \(newestVersion)")
        }
        if from == to {
            try await backend.writeDataVersion(DataVersion(current: to, target: to))
            return Summary(from: from, to: to, groups: 0, recordsWritten: 0)
        }
        try await begin(backend, from: from, to: to)
        let summary: Summary
        do {
            summary = try await copy(backend, from: from, to: to, context: context, progress: progress)
        } catch let failure as StepFailure {
            try await backend.writeDataVersion(DataVersion(current: from, target: from))
            try await backend.deletePrefix(KeyLayout.root(version: to))
            throw MigrationError(
                "migrating data version \(from) to \(to) failed: \(failure.description). The store is back at "
                    + "data version \(from) with its data untouched; a release of data version \(from) serves it. "
                    + "Fix the cause (or report the record) before starting this release again.")
        }
        try await end(backend, from: from, to: to)
        return summary
    }

    /// Writes `{from, to}` and clears every root but `from` (a partial `to` from an earlier run included).
    public func begin(_ backend: any Backend, from: Int, to: Int) async throws {
        try await backend.writeDataVersion(DataVersion(current: from, target: to))
        try await removeStaleRoots(backend, keeping: from, also: to)
    }

    /// Writes `{to, to}`, then deletes the old root.
    public func end(_ backend: any Backend, from: Int, to: Int) async throws {
        try await backend.writeDataVersion(DataVersion(current: to, target: to))
        try await backend.deletePrefix(KeyLayout.root(version: from))
    }

    /// Resets an interrupted migration `{current, target}` to `{current, current}` and deletes the partial
    /// new root. Returns the resulting record (nil on a fresh store).
    @discardableResult
    public func abandon(_ backend: any Backend) async throws -> DataVersion? {
        guard let (version, _) = try await backend.readDataVersion() else { return nil }
        let reset = DataVersion(current: version.current, target: version.current)
        try await backend.writeDataVersion(reset)
        if version.target != version.current {
            try await backend.deletePrefix(KeyLayout.root(version: version.target))
        }
        return reset
    }

    /// Deletes every data-version root this release knows of, except `keeping` (and one more version's).
    public func removeStaleRoots(_ backend: any Backend, keeping: Int, also extra: Int? = nil) async throws {
        let highest = Swift.max(newestVersion, keeping, extra ?? keeping) + 1
        for version in Self.baseVersion...highest where version != keeping {
            try await backend.deletePrefix(KeyLayout.root(version: version))
        }
    }
}

/// A migration step threw: carries which step and record, and triggers the rollback.
struct StepFailure: Error, CustomStringConvertible {
    var groupKeys: [String]
    var underlying: any Error

    var description: String { "on record group [\(groupKeys.joined(separator: ", "))]: \(underlying)" }
}
