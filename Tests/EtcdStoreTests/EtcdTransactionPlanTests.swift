import Store
import Testing

@testable import EtcdStore

@Suite("folding a Transaction into one etcd Txn")
struct EtcdTransactionPlanTests {
    func bytes(_ text: String) -> [UInt8] { Array(text.utf8) }

    @Test("distinct writes pass through, deletes before puts")
    func passThrough() {
        let plan = EtcdTransactionPlan(
            Transaction(
                conditions: [.absent("/a")], operations: [.put("/a", [1]), .delete("/b"), .deletePrefix("/c/")]))
        #expect(plan.conditions == [.absent("/a")])
        #expect(
            plan.writes == [
                .delete(EtcdKeyRange.prefix("/c/")), .delete(EtcdKeyRange(key: bytes("/b"), rangeEnd: [])),
                .put("/a", [1]),
            ])
    }

    @Test("the last write of a key wins")
    func lastWriteWins() {
        let plan = EtcdTransactionPlan(
            Transaction(operations: [
                .put("/a", [1]), .put("/a", [2]), .put("/b", [1]), .delete("/b"), .delete("/c"), .put("/c", [3]),
            ]))
        #expect(
            plan.writes == [.delete(EtcdKeyRange(key: bytes("/b"), rangeEnd: [])), .put("/a", [2]), .put("/c", [3])])
    }

    @Test("a prefix delete erases earlier writes under it")
    func prefixErasesEarlierWrites() {
        let plan = EtcdTransactionPlan(
            Transaction(operations: [.put("/v1/x", [1]), .delete("/v1/y"), .put("/v2/x", [2]), .deletePrefix("/v1/")]))
        #expect(plan.writes == [.delete(EtcdKeyRange.prefix("/v1/")), .put("/v2/x", [2])])
    }

    @Test("a put after a prefix delete cuts the delete around the key")
    func putAfterPrefixDelete() {
        let plan = EtcdTransactionPlan(
            Transaction(operations: [.deletePrefix("/v1/"), .put("/v1/m", [1]), .put("/v1/d", [2])]))
        #expect(
            plan.writes == [
                .delete(EtcdKeyRange(key: bytes("/v1/"), rangeEnd: bytes("/v1/d"))),
                .delete(EtcdKeyRange(key: bytes("/v1/d") + [0], rangeEnd: bytes("/v1/m"))),
                .delete(EtcdKeyRange(key: bytes("/v1/m") + [0], rangeEnd: bytes("/v10"))),
                .put("/v1/m", [1]), .put("/v1/d", [2]),
            ])
    }

    @Test("a narrower prefix inside a wider one is dropped")
    func nestedPrefixes() {
        let plan = EtcdTransactionPlan(Transaction(operations: [.deletePrefix("/v1/a/"), .deletePrefix("/v1/")]))
        #expect(plan.writes == [.delete(EtcdKeyRange.prefix("/v1/"))])
        let reversed = EtcdTransactionPlan(Transaction(operations: [.deletePrefix("/v1/"), .deletePrefix("/v1/a/")]))
        #expect(reversed.writes == [.delete(EtcdKeyRange.prefix("/v1/"))])
    }

    @Test("splitting an unbounded range keeps its open end")
    func splitUnbounded() {
        let pieces = EtcdTransactionPlan.split(EtcdKeyRange.prefix(""), around: [bytes("/k")])
        #expect(
            pieces == [
                EtcdKeyRange(key: [0], rangeEnd: bytes("/k")), EtcdKeyRange(key: bytes("/k") + [0], rangeEnd: [0]),
            ])
    }

    @Test("the Txn has the conditions as compares and a read-back failure branch only when verifying")
    func request() {
        let plan = EtcdTransactionPlan(
            Transaction(
                conditions: [.exists("/e"), .revision("/r", equals: 7)], operations: [.put("/p", [9]), .delete("/d")]))
        let plain = plan.request(verifying: false)
        #expect(plain.compare.count == 2)
        #expect(
            plain.compare[0].target == .create && plain.compare[0].result == .greater
                && plain.compare[0].createRevision == 0)
        #expect(
            plain.compare[1].target == .mod && plain.compare[1].result == .equal && plain.compare[1].modRevision == 7)
        #expect(plain.success.count == 2 && plain.failure.isEmpty)
        let verifying = plan.request(verifying: true)
        #expect(verifying.failure.count == 2)
        #expect(verifying.failure[0].requestRange.countOnly)  // the delete, first
        #expect(!verifying.failure[1].requestRange.countOnly)  // the put, read with its value
    }

    @Test("the read-back recognises an applied transaction and nothing else")
    func isApplied() {
        let plan = EtcdTransactionPlan(Transaction(operations: [.put("/p", [9]), .delete("/d")]))
        func responses(value: [UInt8]?, deletedCount: Int64) -> [Etcdserverpb_ResponseOp] {
            var put = Etcdserverpb_ResponseOp()
            var read = Etcdserverpb_RangeResponse()
            if let value {
                var kv = Mvccpb_KeyValue()
                kv.key = .init("/p".utf8)
                kv.value = .init(value)
                read.kvs = [kv]
            }
            put.response = .responseRange(read)
            var delete = Etcdserverpb_ResponseOp()
            var count = Etcdserverpb_RangeResponse()
            count.count = deletedCount
            delete.response = .responseRange(count)
            return [delete, put]  // the plan deletes before it puts
        }
        #expect(plan.isApplied(according: responses(value: [9], deletedCount: 0)))
        #expect(!plan.isApplied(according: responses(value: [8], deletedCount: 0)))
        #expect(!plan.isApplied(according: responses(value: nil, deletedCount: 0)))
        #expect(!plan.isApplied(according: responses(value: [9], deletedCount: 1)))
        #expect(!plan.isApplied(according: []))
        let checkOnly = EtcdTransactionPlan(Transaction(conditions: [.exists("/e")]))
        #expect(!checkOnly.isApplied(according: []))
    }
}
