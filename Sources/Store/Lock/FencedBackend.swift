/// The backend the master writes through: every write carries the condition that this process still
/// holds the master lock.
///
/// Exists so that a master that lost its lock without knowing it (paused past its TTL, partitioned from
/// the store) can never write again: its writes become transactions conditioned on its lock fence, which
/// the store refuses once another process has taken the lock. A refused fence throws
/// `StoreError.lockLost` and tells the `FenceSource`, which deposes this process at once. Reads pass
/// through unchanged.
public struct FencedBackend: Backend {
    public let base: any Backend
    private let fences: any FenceSource

    public init(_ base: any Backend, fences: any FenceSource) {
        self.base = base
        self.fences = fences
    }

    // MARK: - Reads

    public func get(_ key: String) async throws -> KeyValue? { try await base.get(key) }

    public func range(prefix: String, startAfter: String?, limit: Int) async throws -> RangePage {
        try await base.range(prefix: prefix, startAfter: startAfter, limit: limit)
    }

    public func count(prefix: String) async throws -> Int { try await base.count(prefix: prefix) }

    // MARK: - Fenced writes

    @discardableResult
    public func put(_ key: String, _ value: [UInt8], condition: PutCondition) async throws -> Int64 {
        let fence = try currentFence()
        var conditions = [fence.condition]
        switch condition {
        case .none: break
        case .absent: conditions.append(.absent(key))
        case .revision(let revision): conditions.append(.revision(key, equals: revision))
        }
        let result = try await base.commit(Transaction(conditions: conditions, operations: [.put(key, value)]))
        if result.succeeded { return result.revision }
        try await checkFence(fence)
        switch condition {
        case .absent: throw StoreError.conditionFailed("key \(key) already exists")
        default: throw StoreError.conditionFailed("key \(key) was changed by another write (expected revision)")
        }
    }

    @discardableResult
    public func delete(_ key: String, condition: DeleteCondition) async throws -> Bool {
        let fence = try currentFence()
        let keyCondition: Transaction.Condition
        switch condition {
        case .none: keyCondition = .exists(key)
        case .revision(let revision): keyCondition = .revision(key, equals: revision)
        }
        let result = try await base.commit(
            Transaction(conditions: [fence.condition, keyCondition], operations: [.delete(key)]))
        if result.succeeded { return true }
        try await checkFence(fence)
        if case .revision = condition {
            throw StoreError.conditionFailed("key \(key) was changed or deleted by another write (expected revision)")
        }
        return false
    }

    @discardableResult
    public func deletePrefix(_ prefix: String) async throws -> Int {
        let fence = try currentFence()
        let count = try await base.count(prefix: prefix)
        let result = try await base.commit(Transaction(conditions: [fence.condition], operations: [.deletePrefix(prefix)]))
        if !result.succeeded { try await checkFence(fence) }
        return count
    }

    public func commit(_ transaction: Transaction) async throws -> TransactionResult {
        let fence = try currentFence()
        var fenced = transaction
        fenced.conditions.insert(fence.condition, at: 0)
        let result = try await base.commit(fenced)
        if !result.succeeded { try await checkFence(fence) }
        return result
    }

    public func close() async throws { try await base.close() }

    // MARK: - Fence

    private func currentFence() throws -> LockFence {
        guard let fence = fences.currentFence else {
            throw StoreError.lockLost("this bbs is not the master (it does not hold the master lock): nothing was written")
        }
        return fence
    }

    /// After a refused transaction: throws `lockLost` when the fence no longer holds (the caller's own
    /// conditions are then irrelevant), returns when it does.
    private func checkFence(_ fence: LockFence) async throws {
        let lock = try await base.get(fence.key)
        guard lock?.createRevision == fence.createRevision else {
            fences.fenceRefused(fence)
            throw StoreError.lockLost(
                "this bbs lost the master lock (\(fence)) to another bbs: the write was refused and nothing was written")
        }
    }
}
