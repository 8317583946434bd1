import Store

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// A `Transaction` rewritten as one etcd Txn that has the same effect as applying its operations
/// in order.
///
/// Exists because etcd refuses a Txn that writes a key twice or puts a key inside a range it
/// also deletes ("duplicate key given in txn request"), while a `Transaction` (like an SQL
/// transaction) applies its operations one after the other. Folding keeps the last write of each
/// key, drops writes a later prefix delete erases, and cuts a prefix delete around the keys put
/// after it, so the Txn is accepted and stays atomic. The plan also builds the Txn's failure
/// branch that reads back every written key, used after a retry whose first attempt had an
/// unknown outcome.
struct EtcdTransactionPlan: Equatable, Sendable {
    /// One write of the folded transaction.
    enum Write: Equatable, Sendable {
        case put(String, [UInt8])
        /// Deletes a single key (`rangeEnd` empty) or a key interval.
        case delete(EtcdKeyRange)
    }

    var conditions: [Transaction.Condition]
    var writes: [Write]

    init(_ transaction: Transaction) {
        conditions = transaction.conditions
        var putOrder: [String] = []
        var puts: [String: [UInt8]] = [:]
        var deleteOrder: [String] = []
        var prefixes: [[UInt8]] = []

        func under(_ key: String, _ prefix: [UInt8]) -> Bool { Array(key.utf8).starts(with: prefix) }

        for operation in transaction.operations {
            switch operation {
            case .put(let key, let value):
                if puts.updateValue(value, forKey: key) == nil { putOrder.append(key) }
                deleteOrder.removeAll { $0 == key }
            case .delete(let key):
                if puts.removeValue(forKey: key) != nil { putOrder.removeAll { $0 == key } }
                if !deleteOrder.contains(key) { deleteOrder.append(key) }
            case .deletePrefix(let prefix):
                let bytes = Array(prefix.utf8)
                putOrder.removeAll { key in
                    guard under(key, bytes) else { return false }
                    puts.removeValue(forKey: key)
                    return true
                }
                deleteOrder.removeAll { under($0, bytes) }
                if !prefixes.contains(where: { bytes.starts(with: $0) }) {
                    prefixes.removeAll { $0.starts(with: bytes) }
                    prefixes.append(bytes)
                }
            }
        }

        var writes: [Write] = []
        let putKeys = putOrder.map { Array($0.utf8) }.sorted { $0.lexicographicallyPrecedes($1) }
        for prefix in prefixes {
            let range = EtcdKeyRange.prefix(String(decoding: prefix, as: UTF8.self))
            let inside = putKeys.filter { $0.starts(with: prefix) }
            writes += Self.split(range, around: inside).map { .delete($0) }
        }
        for key in deleteOrder where !prefixes.contains(where: { under(key, $0) }) {
            writes.append(.delete(EtcdKV.single(key)))
        }
        for key in putOrder {
            if let value = puts[key] { writes.append(.put(key, value)) }
        }
        self.writes = writes
    }

    /// `range` without the keys `points` (sorted, all inside it), as intervals that etcd accepts
    /// beside puts of those keys.
    static func split(_ range: EtcdKeyRange, around points: [[UInt8]]) -> [EtcdKeyRange] {
        var pieces: [EtcdKeyRange] = []
        var start = range.key
        for point in points {
            if start.lexicographicallyPrecedes(point) { pieces.append(EtcdKeyRange(key: start, rangeEnd: point)) }
            start = point + [0]
        }
        let last = EtcdKeyRange(key: start, rangeEnd: range.rangeEnd)
        if !last.isEmpty { pieces.append(last) }
        return pieces
    }

    /// The Txn; with `verifying`, its failure branch reads back what each write would leave.
    func request(verifying: Bool) -> Etcdserverpb_TxnRequest {
        var request = Etcdserverpb_TxnRequest()
        request.compare = conditions.map(EtcdKV.condition)
        request.success = writes.map { write in
            switch write {
            case .put(let key, let value): EtcdKV.op(EtcdKV.putRequest(key, value))
            case .delete(let range): EtcdKV.op(EtcdKV.deleteRequest(range))
            }
        }
        if verifying {
            request.failure = writes.map { write in
                switch write {
                case .put(let key, _): EtcdKV.op(EtcdKV.rangeRequest(EtcdKV.single(key)))
                case .delete(let range): EtcdKV.op(EtcdKV.rangeRequest(range, countOnly: true))
                }
            }
        }
        return request
    }

    /// Whether the failure branch's reads show every write of this plan in place (so an earlier
    /// attempt with an unknown outcome was applied).
    /// A plan without writes is never "applied": it only checks conditions, and the retry's
    /// answer to them is the truth.
    func isApplied(according responses: [Etcdserverpb_ResponseOp]) -> Bool {
        guard !writes.isEmpty, responses.count == writes.count else { return false }
        for (write, response) in zip(writes, responses) {
            guard case .responseRange(let read)? = response.response else { return false }
            switch write {
            case .put(_, let value):
                guard let kv = read.kvs.first, Array(kv.value) == value else { return false }
            case .delete:
                guard read.count == 0 else { return false }
            }
        }
        return true
    }
}
