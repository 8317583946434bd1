import Store

/// A key as etcd stores it, with the lease it lives on: what `EtcdMasterLock` needs to know about
/// its key beyond the `Backend`'s `KeyValue`.
struct LeasedKey: Sendable, Equatable {
    var value: [UInt8]
    var createRevision: Int64
    var modRevision: Int64
    /// The lease the key is attached to; 0 when it has none.
    var lease: Int64

    init(_ kv: Mvccpb_KeyValue) {
        value = Array(kv.value)
        createRevision = kv.createRevision
        modRevision = kv.modRevision
        lease = kv.lease
    }
}

/// What `createLeased` found.
enum LeasedCreate: Sendable, Equatable {
    /// The key is on our lease, created at this revision.
    case created(revision: Int64)
    /// The key already existed (on another lease).
    case exists(LeasedKey)
}

// MARK: - Txn shapes of the master lock

/// The lock needs Txns that the `Backend` protocol does not express: a put with a lease inside a
/// compare, and reads that return the key's lease. Each is one etcd call that fails over like every
/// other; after a lost answer a repeat cannot apply twice, because each is conditioned on the key.
extension EtcdBackend {
    /// One Txn: when `key` is absent, put `value` on `lease`; else read the key.
    ///
    /// A key found on `lease` is reported as created: only a Txn of ours can have put it there, so
    /// it is an earlier attempt of this call whose answer was lost.
    func createLeased(_ key: String, _ value: [UInt8], lease: Int64) async throws -> LeasedCreate {
        try Self.checkKey(key)
        let (response, _) = try await perform(EtcdKV.txn) { _ in
            var request = Etcdserverpb_TxnRequest()
            request.compare = [EtcdKV.absent(key)]
            request.success = [EtcdKV.op(EtcdKV.putRequest(key, value, lease: lease))]
            request.failure = [EtcdKV.op(EtcdKV.rangeRequest(EtcdKV.single(key)))]
            return request
        }
        if response.succeeded { return .created(revision: response.header.revision) }
        guard let kv = response.responses.first?.responseRange.kvs.first else {
            // The compare and the read are one atomic step: a failed "absent" always finds the key.
            throw StoreError.backendFailure("etcd answered a failed create of \(key) without the key")
        }
        let found = LeasedKey(kv)
        if found.lease == lease { return .created(revision: found.createRevision) }
        return .exists(found)
    }

    /// A linearizable read of `key` with its lease.
    func leasedKey(_ key: String) async throws -> LeasedKey? {
        try Self.checkKey(key)
        let (response, _) = try await perform(EtcdKV.range) { _ in EtcdKV.rangeRequest(EtcdKV.single(key)) }
        return response.kvs.first.map(LeasedKey.init)
    }

    /// Deletes `key` if it was (last) created at `createRevision`; returns the deleted key (for its
    /// lease), or nil when the key was not that one. After a lost answer the repeat finds the key
    /// gone and answers nil: the key is deleted either way, only its lease is then not known.
    func deleteLeased(_ key: String, createdAt createRevision: Int64) async throws -> LeasedKey? {
        try Self.checkKey(key)
        let (response, _) = try await perform(EtcdKV.txn) { _ in
            var delete = EtcdKV.deleteRequest(EtcdKV.single(key))
            delete.prevKv = true
            var request = Etcdserverpb_TxnRequest()
            request.compare = [EtcdKV.condition(.created(key, revision: createRevision))]
            request.success = [EtcdKV.op(delete)]
            return request
        }
        guard response.succeeded else { return nil }
        return response.responses.first?.responseDeleteRange.prevKvs.first.map(LeasedKey.init)
    }

    /// Deletes `key` if its last write was at `modRevision`; returns whether this call deleted it.
    func deleteLeased(_ key: String, modifiedAt modRevision: Int64) async throws -> Bool {
        try Self.checkKey(key)
        let (response, _) = try await perform(EtcdKV.txn) { _ in
            var request = Etcdserverpb_TxnRequest()
            request.compare = [EtcdKV.modRevision(key, equals: modRevision)]
            request.success = [EtcdKV.op(EtcdKV.deleteRequest(EtcdKV.single(key)))]
            return request
        }
        return response.succeeded
    }
}
