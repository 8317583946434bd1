import RPC
import Store

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// etcd's KV service methods (`/etcdserverpb.KV/...`) and the requests bbs builds for them.
///
/// Exists so the mapping from `Backend` calls to etcd requests is pure and tested apart from I/O.
enum EtcdKV {
    static let service = "etcdserverpb.KV"
    static let range = RPCMethod<Etcdserverpb_RangeRequest, Etcdserverpb_RangeResponse>(
        service: service, method: "Range", kind: .unary)
    static let put = RPCMethod<Etcdserverpb_PutRequest, Etcdserverpb_PutResponse>(
        service: service, method: "Put", kind: .unary)
    static let deleteRange = RPCMethod<Etcdserverpb_DeleteRangeRequest, Etcdserverpb_DeleteRangeResponse>(
        service: service, method: "DeleteRange", kind: .unary)
    static let txn = RPCMethod<Etcdserverpb_TxnRequest, Etcdserverpb_TxnResponse>(
        service: service, method: "Txn", kind: .unary)

    // MARK: - Requests

    /// A linearizable read of `range`, in key order, at most `limit` keys (0: no limit).
    static func rangeRequest(_ range: EtcdKeyRange, limit: Int = 0, countOnly: Bool = false, keysOnly: Bool = false)
        -> Etcdserverpb_RangeRequest
    {
        var request = Etcdserverpb_RangeRequest()
        request.key = Data(range.key)
        request.rangeEnd = Data(range.rangeEnd)
        request.limit = Int64(limit)
        request.sortOrder = .ascend
        request.sortTarget = .key
        request.countOnly = countOnly
        request.keysOnly = keysOnly
        return request
    }

    static func putRequest(_ key: String, _ value: [UInt8], lease: Int64 = 0) -> Etcdserverpb_PutRequest {
        var request = Etcdserverpb_PutRequest()
        request.key = Data(key.utf8)
        request.value = Data(value)
        request.lease = lease
        return request
    }

    static func deleteRequest(_ range: EtcdKeyRange) -> Etcdserverpb_DeleteRangeRequest {
        var request = Etcdserverpb_DeleteRangeRequest()
        request.key = Data(range.key)
        request.rangeEnd = Data(range.rangeEnd)
        return request
    }

    /// The single key `key` as a range.
    static func single(_ key: String) -> EtcdKeyRange { EtcdKeyRange(key: Array(key.utf8), rangeEnd: []) }

    // MARK: - Compares

    /// "The key does not exist": its create revision is 0 (etcd's idiom for absence).
    static func absent(_ key: String) -> Etcdserverpb_Compare {
        compare(key, .create, .equal, .createRevision(0))
    }

    /// "The key exists": its create revision is above 0.
    static func exists(_ key: String) -> Etcdserverpb_Compare {
        compare(key, .create, .greater, .createRevision(0))
    }

    /// "The key's last write was at `revision`" (never true for an absent key, whose mod revision is 0).
    static func modRevision(_ key: String, equals revision: Int64) -> Etcdserverpb_Compare {
        compare(key, .mod, .equal, .modRevision(revision))
    }

    static func condition(_ condition: Transaction.Condition) -> Etcdserverpb_Compare {
        switch condition {
        case .exists(let key): exists(key)
        case .absent(let key): absent(key)
        case .revision(let key, let revision): modRevision(key, equals: revision)
        case .created(let key, let revision): compare(key, .create, .equal, .createRevision(revision))
        }
    }

    private static func compare(
        _ key: String, _ target: Etcdserverpb_Compare.CompareTarget, _ result: Etcdserverpb_Compare.CompareResult,
        _ value: Etcdserverpb_Compare.OneOf_TargetUnion
    ) -> Etcdserverpb_Compare {
        var compare = Etcdserverpb_Compare()
        compare.key = Data(key.utf8)
        compare.target = target
        compare.result = result
        compare.targetUnion = value
        return compare
    }

    // MARK: - Ops

    static func op(_ request: Etcdserverpb_PutRequest) -> Etcdserverpb_RequestOp {
        var op = Etcdserverpb_RequestOp()
        op.request = .requestPut(request)
        return op
    }

    static func op(_ request: Etcdserverpb_DeleteRangeRequest) -> Etcdserverpb_RequestOp {
        var op = Etcdserverpb_RequestOp()
        op.request = .requestDeleteRange(request)
        return op
    }

    static func op(_ request: Etcdserverpb_RangeRequest) -> Etcdserverpb_RequestOp {
        var op = Etcdserverpb_RequestOp()
        op.request = .requestRange(request)
        return op
    }

    // MARK: - Responses

    /// A stored key-value in the Backend's terms; a key that is not UTF-8 is a corrupt record.
    static func keyValue(_ kv: Mvccpb_KeyValue) throws -> KeyValue {
        guard let key = String(validating: Array(kv.key), as: UTF8.self) else {
            throw StoreError.corruptRecord("etcd holds a key that is not UTF-8: \(Array(kv.key).prefix(64))")
        }
        return KeyValue(
            key: key, value: Array(kv.value), createRevision: kv.createRevision, modRevision: kv.modRevision)
    }
}
