import Store

// MARK: - Reads and single-key writes

extension EtcdBackend {
    /// A linearizable read of one key.
    public func get(_ key: String) async throws -> KeyValue? {
        try Self.checkKey(key)
        let (response, _) = try await perform(EtcdKV.range) { _ in EtcdKV.rangeRequest(EtcdKV.single(key)) }
        return try response.kvs.first.map(EtcdKV.keyValue)
    }

    /// One page of a prefix in key order: etcd's Range from `startAfter` + "\0" to the prefix end.
    public func range(prefix: String, startAfter: String?, limit: Int) async throws -> RangePage {
        guard limit > 0 else { throw StoreError.invalidArgument("range limit must be positive, got \(limit)") }
        let range = EtcdKeyRange.prefix(prefix, startAfter: startAfter)
        if range.isEmpty { return RangePage(items: [], more: false) }
        let (response, _) = try await perform(EtcdKV.range) { _ in EtcdKV.rangeRequest(range, limit: limit) }
        return RangePage(items: try response.kvs.map(EtcdKV.keyValue), more: response.more)
    }

    /// etcd's Range with `count_only` over the prefix.
    public func count(prefix: String) async throws -> Int {
        let range = EtcdKeyRange.prefix(prefix)
        let (response, _) = try await perform(EtcdKV.range) { _ in EtcdKV.rangeRequest(range, countOnly: true) }
        return Int(response.count)
    }

    @discardableResult
    public func put(_ key: String, _ value: [UInt8], condition: PutCondition) async throws -> Int64 {
        try await put(key, value, condition: condition, leaseID: 0)
    }

    func put(_ key: String, _ value: [UInt8], condition: PutCondition, leaseID: Int64) async throws -> Int64 {
        try Self.checkKey(key)
        let compare: Etcdserverpb_Compare
        switch condition {
        case .none:
            let (response, _) = try await perform(EtcdKV.put) { _ in EtcdKV.putRequest(key, value, lease: leaseID) }
            return response.header.revision
        case .absent:
            compare = EtcdKV.absent(key)
        case .revision(let revision):
            compare = EtcdKV.modRevision(key, equals: revision)
        }
        let (response, outcomeUnknown) = try await perform(EtcdKV.txn) { outcomeUnknown in
            var request = Etcdserverpb_TxnRequest()
            request.compare = [compare]
            request.success = [EtcdKV.op(EtcdKV.putRequest(key, value, lease: leaseID))]
            // The failure branch reads the key: for the message, and (with its value) to recognise
            // an earlier attempt of ours whose answer was lost.
            request.failure = [EtcdKV.op(EtcdKV.rangeRequest(EtcdKV.single(key), keysOnly: !outcomeUnknown))]
            return request
        }
        if response.succeeded { return response.header.revision }
        let current = response.responses.first?.responseRange.kvs.first
        if outcomeUnknown, let current, Array(current.value) == value {
            // An earlier attempt whose answer was lost wrote exactly this value: it was ours.
            return current.modRevision
        }
        throw StoreError.conditionFailed(Self.describeFailure(key, condition: condition, current: current))
    }

    /// An unconditional delete that is retried after a lost answer may report `false` although
    /// its first attempt deleted the key: the key is gone either way.
    @discardableResult
    public func delete(_ key: String, condition: DeleteCondition) async throws -> Bool {
        try Self.checkKey(key)
        switch condition {
        case .none:
            let (response, _) = try await perform(EtcdKV.deleteRange) { _ in
                EtcdKV.deleteRequest(EtcdKV.single(key))
            }
            return response.deleted > 0
        case .revision(let revision):
            let (response, outcomeUnknown) = try await perform(EtcdKV.txn) { _ in
                var request = Etcdserverpb_TxnRequest()
                request.compare = [EtcdKV.modRevision(key, equals: revision)]
                request.success = [EtcdKV.op(EtcdKV.deleteRequest(EtcdKV.single(key)))]
                request.failure = [EtcdKV.op(EtcdKV.rangeRequest(EtcdKV.single(key), keysOnly: true))]
                return request
            }
            if response.succeeded { return true }
            let current = response.responses.first?.responseRange.kvs.first
            // After a lost answer, a key that is gone was most likely deleted by that attempt.
            if outcomeUnknown, current == nil { return true }
            throw StoreError.conditionFailed(
                Self.describeFailure(key, condition: .revision(revision), current: current))
        }
    }

    @discardableResult
    public func deletePrefix(_ prefix: String) async throws -> Int {
        let range = EtcdKeyRange.prefix(prefix)
        let (response, _) = try await perform(EtcdKV.deleteRange) { _ in EtcdKV.deleteRequest(range) }
        return Int(response.deleted)
    }

    // MARK: - Helpers

    static func checkKey(_ key: String) throws {
        guard !key.isEmpty else { throw StoreError.invalidArgument("an etcd key must not be empty") }
    }

    static func describeFailure(_ key: String, condition: PutCondition, current: Mvccpb_KeyValue?) -> String {
        let now = current.map { "it is at revision \($0.modRevision)" } ?? "it does not exist"
        switch condition {
        case .none: return "write to \(key) failed"
        case .absent: return "\(key) already exists (\(now))"
        case .revision(let revision): return "\(key) is not at revision \(revision): \(now)"
        }
    }
}
