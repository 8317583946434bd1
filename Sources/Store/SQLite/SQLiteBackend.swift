import Dispatch

/// The embedded default store (`--store sqlite:PATH`): one SQLite file in WAL mode with `synchronous=FULL`,
/// so a write is on disk when it is acknowledged.
///
/// Why the system libsqlite3 through the `CSQLite` system-library target rather than GRDB: the backend
/// needs a dozen fixed statements over one table, a cache of prepared statements and explicit
/// `BEGIN IMMEDIATE` transactions; GRDB's value (record types, query interface, observation, its own
/// `DatabaseQueue` threading) would sit unused while adding a large dependency to build on 2 cores and a
/// second concurrency model under our async API. The C surface we use is ~20 functions, wrapped once in
/// `SQLiteConnection` (which owns every pointer).
///
/// Thread safety: one connection, confined to one serial dispatch queue; every call hops there and back
/// through a continuation, so callers never block a Swift concurrency thread on fsync.
public final class SQLiteBackend: Backend, @unchecked Sendable {
    // @unchecked: `engine` is only touched on `queue`.
    private let queue: DispatchQueue
    private var engine: SQLiteEngine?
    /// The database file.
    public let path: String

    /// Opens (creating if needed) the database at `path`.
    public init(path: String) throws {
        guard !path.isEmpty else { throw StoreError.invalidArgument("the SQLite store needs a file path") }
        self.path = path
        self.queue = DispatchQueue(label: "bbs.sqlite")
        self.engine = try queue.sync { try SQLiteEngine(path: path) }
    }

    deinit {
        engine?.close()
    }

    private func run<T: Sendable>(_ body: @escaping @Sendable (SQLiteEngine) throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            queue.async {
                guard let engine = self.engine else {
                    continuation.resume(throwing: StoreError.closed("the SQLite store \(self.path) is closed"))
                    return
                }
                continuation.resume(with: Result { try body(engine) })
            }
        }
    }

    // MARK: - Backend

    public func get(_ key: String) async throws -> KeyValue? {
        try await run { try $0.get(key) }
    }

    public func range(prefix: String, startAfter: String?, limit: Int) async throws -> RangePage {
        try await run { try $0.range(prefix: prefix, startAfter: startAfter, limit: limit) }
    }

    @discardableResult
    public func put(_ key: String, _ value: [UInt8], condition: PutCondition) async throws -> Int64 {
        try await run { engine in
            try KeyRange.validate(key)
            return try engine.writing { revision in
                let existing = try engine.modRevision(key)
                switch (condition, existing) {
                case (.none, _), (.absent, nil):
                    break
                case (.absent, .some):
                    throw StoreError.conditionFailed("key \(key) already exists")
                case (.revision(let expected), let actual):
                    guard actual == expected else {
                        throw StoreError.conditionFailed(
                            "key \(key) is at revision \(actual.map(String.init) ?? "absent"), expected \(expected)")
                    }
                }
                try engine.upsert(key, value, revision: revision)
                return true
            }
        }
    }

    @discardableResult
    public func delete(_ key: String, condition: DeleteCondition) async throws -> Bool {
        try await run { engine in
            try KeyRange.validate(key)
            var deleted = false
            _ = try engine.writing { _ in
                if case .revision(let expected) = condition {
                    let actual = try engine.modRevision(key)
                    guard actual == expected else {
                        throw StoreError.conditionFailed(
                            "key \(key) is at revision \(actual.map(String.init) ?? "absent"), expected \(expected)")
                    }
                }
                deleted = try engine.remove(key)
                return deleted
            }
            return deleted
        }
    }

    @discardableResult
    public func deletePrefix(_ prefix: String) async throws -> Int {
        try await run { engine in
            var count = 0
            _ = try engine.writing { _ in
                count = try engine.removePrefix(prefix)
                return count > 0
            }
            return count
        }
    }

    public func count(prefix: String) async throws -> Int {
        try await run { try $0.count(prefix: prefix) }
    }

    public func commit(_ transaction: Transaction) async throws -> TransactionResult {
        try await run { engine in
            var succeeded = true
            let revision = try engine.writing { revision in
                for condition in transaction.conditions where !(try Self.holds(condition, engine)) {
                    succeeded = false
                    return false
                }
                var changed = false
                for operation in transaction.operations {
                    switch operation {
                    case .put(let key, let value):
                        try engine.upsert(key, value, revision: revision)
                        changed = true
                    case .delete(let key):
                        try KeyRange.validate(key)
                        changed = try engine.remove(key) || changed
                    case .deletePrefix(let prefix):
                        changed = try engine.removePrefix(prefix) > 0 || changed
                    }
                }
                return changed
            }
            return TransactionResult(succeeded: succeeded, revision: revision)
        }
    }

    public func close() async throws {
        try await run { engine in
            engine.close()
        }
        queue.sync { engine = nil }
    }

    private static func holds(_ condition: Transaction.Condition, _ engine: SQLiteEngine) throws -> Bool {
        switch condition {
        case .exists(let key): try engine.modRevision(key) != nil
        case .absent(let key): try engine.modRevision(key) == nil
        case .revision(let key, let expected): try engine.modRevision(key) == expected
        case .created(let key, let expected): try engine.get(key)?.createRevision == expected
        }
    }
}
