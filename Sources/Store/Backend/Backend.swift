/// An ordered key-value store with revisions: the one thing every bbs storage engine provides.
///
/// Exists so records, the version record, migrations and (later) services run unchanged on the
/// embedded SQLite engine and on etcd. Keys are `/`-separated strings, ordered bytewise; every
/// successful write gets a new store-wide revision (as in etcd), which conditional writes use
/// for compare-and-swap.
public protocol Backend: Sendable {
    /// The key-value at `key`, or nil.
    func get(_ key: String) async throws -> KeyValue?

    /// Up to `limit` keys under `prefix`, in key order, strictly after `startAfter` when given.
    func range(prefix: String, startAfter: String?, limit: Int) async throws -> RangePage

    /// Writes `value` at `key` if `condition` holds; returns the new revision.
    /// Throws `StoreError.conditionFailed` when it does not.
    @discardableResult
    func put(_ key: String, _ value: [UInt8], condition: PutCondition) async throws -> Int64

    /// Deletes `key` if `condition` holds; returns whether a key was deleted.
    /// Throws `StoreError.conditionFailed` when the condition does not hold.
    @discardableResult
    func delete(_ key: String, condition: DeleteCondition) async throws -> Bool

    /// Deletes every key under `prefix`; returns how many.
    @discardableResult
    func deletePrefix(_ prefix: String) async throws -> Int

    /// How many keys are under `prefix`.
    func count(prefix: String) async throws -> Int

    /// Applies every operation atomically if every condition holds, else nothing.
    func commit(_ transaction: Transaction) async throws -> TransactionResult

    /// Releases connections and files. Further calls throw.
    func close() async throws
}

extension Backend {
    @discardableResult
    public func put(_ key: String, _ value: [UInt8]) async throws -> Int64 {
        try await put(key, value, condition: .none)
    }

    @discardableResult
    public func delete(_ key: String) async throws -> Bool {
        try await delete(key, condition: .none)
    }
}

/// One stored key with its value and revisions.
public struct KeyValue: Sendable, Equatable {
    public var key: String
    public var value: [UInt8]
    /// The store revision at which the key was (last) created.
    public var createRevision: Int64
    /// The store revision of the key's last write.
    public var modRevision: Int64

    public init(key: String, value: [UInt8], createRevision: Int64, modRevision: Int64) {
        self.key = key
        self.value = value
        self.createRevision = createRevision
        self.modRevision = modRevision
    }
}

/// One page of a range read.
public struct RangePage: Sendable, Equatable {
    public var items: [KeyValue]
    /// Whether keys remain after the last item (pass its key as `startAfter`).
    public var more: Bool

    public init(items: [KeyValue], more: Bool) {
        self.items = items
        self.more = more
    }
}

/// When a put may happen.
public enum PutCondition: Sendable, Equatable {
    case none
    /// Only if the key does not exist.
    case absent
    /// Only if the key exists with this modification revision.
    case revision(Int64)
}

/// When a delete may happen.
public enum DeleteCondition: Sendable, Equatable {
    case none
    /// Only if the key exists with this modification revision.
    case revision(Int64)
}

/// An atomic, all-or-nothing group of writes guarded by conditions (etcd's Txn, an SQL transaction).
public struct Transaction: Sendable, Equatable {
    public enum Condition: Sendable, Equatable {
        case exists(String)
        case absent(String)
        case revision(String, equals: Int64)
        /// The key exists and was (last) created at this revision: it has not been deleted and
        /// re-created since. The master lock's fence (`LockFence`) is this condition.
        case created(String, revision: Int64)
    }

    public enum Operation: Sendable, Equatable {
        case put(String, [UInt8])
        case delete(String)
        case deletePrefix(String)
    }

    public var conditions: [Condition]
    public var operations: [Operation]

    public init(conditions: [Condition] = [], operations: [Operation] = []) {
        self.conditions = conditions
        self.operations = operations
    }
}

/// The outcome of a transaction.
public struct TransactionResult: Sendable, Equatable {
    /// False when a condition failed (and nothing was written).
    public var succeeded: Bool
    /// The store revision after the transaction.
    public var revision: Int64

    public init(succeeded: Bool, revision: Int64) {
        self.succeeded = succeeded
        self.revision = revision
    }
}
