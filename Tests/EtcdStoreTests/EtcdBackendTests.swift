import EtcdStore
import Store
import TestSupport
import Testing

@Suite(
    "EtcdBackend on a real single-member etcd", .enabled(if: EtcdCluster.isAvailable, "needs /usr/bin/etcd (make deps)")
)
struct EtcdBackendTests {
    @Test("writes return etcd's revisions and reads carry create and mod revisions")
    func revisions() async throws {
        try await withEtcd { _, etcd in
            let first = try await etcd.put("/v1/task/a", bytes("one"))
            let second = try await etcd.put("/v1/task/a", bytes("two"))
            #expect(second > first)
            let read = try #require(try await etcd.get("/v1/task/a"))
            #expect(
                read == KeyValue(key: "/v1/task/a", value: bytes("two"), createRevision: first, modRevision: second))
            #expect(try await etcd.get("/v1/task/missing") == nil)
        }
    }

    @Test("put only if absent, and only at a revision")
    func conditionalPuts() async throws {
        try await withEtcd { _, etcd in
            let created = try await etcd.put("/k", bytes("a"), condition: .absent)
            await #expect { try await etcd.put("/k", bytes("b"), condition: .absent) } throws: {
                isStoreError($0, .conditionFailed, "already exists")
            }
            let updated = try await etcd.put("/k", bytes("c"), condition: .revision(created))
            await #expect { try await etcd.put("/k", bytes("d"), condition: .revision(created)) } throws: {
                isStoreError($0, .conditionFailed, "is not at revision \(created)")
            }
            await #expect { try await etcd.put("/absent", bytes("d"), condition: .revision(created)) } throws: {
                isStoreError($0, .conditionFailed, "does not exist")
            }
            #expect(try await etcd.get("/k")?.value == bytes("c"))
            #expect(try await etcd.get("/k")?.modRevision == updated)
        }
    }

    @Test("delete, unconditionally and at a revision")
    func deletes() async throws {
        try await withEtcd { _, etcd in
            let revision = try await etcd.put("/k", bytes("a"))
            await #expect { try await etcd.delete("/k", condition: .revision(revision + 100)) } throws: {
                isStoreError($0, .conditionFailed)
            }
            #expect(try await etcd.delete("/k", condition: .revision(revision)))
            #expect(try await etcd.get("/k") == nil)
            #expect(try await etcd.delete("/k") == false)
            try await etcd.put("/k", bytes("b"))
            #expect(try await etcd.delete("/k"))
        }
    }

    @Test("range pages through a prefix in key order, and only that prefix")
    func paging() async throws {
        try await withEtcd { _, etcd in
            let keys = (0..<25).map { "/v1/actual/guid-\(String($0 + 100))" }
            for key in keys.shuffled() { try await etcd.put(key, bytes(key)) }
            try await etcd.put("/v1/actualx", bytes("neighbour"))
            try await etcd.put("/v1/actua", bytes("neighbour"))
            var seen: [String] = []
            var after: String? = nil
            var pages = 0
            while true {
                let page = try await etcd.range(prefix: "/v1/actual/", startAfter: after, limit: 10)
                pages += 1
                seen += page.items.map(\.key)
                #expect(page.items.allSatisfy { $0.value == bytes($0.key) })
                guard page.more, let last = page.items.last else { break }
                after = last.key
            }
            #expect(seen == keys)
            #expect(pages == 3)
            #expect(try await etcd.range(prefix: "/v1/actual/", startAfter: keys.last, limit: 10).items.isEmpty)
            #expect(
                try await etcd.range(prefix: "/nothing/", startAfter: nil, limit: 10)
                    == RangePage(items: [], more: false))
            await #expect { try await etcd.range(prefix: "/", startAfter: nil, limit: 0) } throws: {
                isStoreError($0, .invalidArgument)
            }
        }
    }

    @Test("count and delete a prefix")
    func prefixes() async throws {
        try await withEtcd { _, etcd in
            for index in 0..<12 { try await etcd.put("/v1/task/\(index)", [UInt8(index)]) }
            try await etcd.put("/v1/taskx", [1])
            try await etcd.put("/v2/task/1", [1])
            #expect(try await etcd.count(prefix: "/v1/task/") == 12)
            #expect(try await etcd.count(prefix: "/v1/") == 13)
            #expect(try await etcd.count(prefix: "") == 14)
            #expect(try await etcd.deletePrefix("/v1/task/") == 12)
            #expect(try await etcd.count(prefix: "/v1/") == 1)
            #expect(try await etcd.count(prefix: "/v2/") == 1)
        }
    }

    @Test("a transaction applies every write when its conditions hold, and nothing when one fails")
    func transactions() async throws {
        try await withEtcd { _, etcd in
            let revision = try await etcd.put("/version", bytes("1"))
            try await etcd.put("/v1/old", bytes("x"))
            let failing = Transaction(
                conditions: [.revision("/version", equals: revision + 1)],
                operations: [.put("/v2/new", bytes("y")), .deletePrefix("/v1/")])
            let refused = try await etcd.commit(failing)
            #expect(!refused.succeeded)
            #expect(try await etcd.get("/v2/new") == nil)
            #expect(try await etcd.get("/v1/old") != nil)

            let passing = Transaction(
                conditions: [.revision("/version", equals: revision), .exists("/v1/old"), .absent("/v2/new")],
                operations: [.put("/v2/new", bytes("y")), .deletePrefix("/v1/"), .put("/version", bytes("2"))])
            let applied = try await etcd.commit(passing)
            #expect(applied.succeeded)
            #expect(try await etcd.get("/v2/new")?.modRevision == applied.revision)
            #expect(try await etcd.get("/version")?.value == bytes("2"))
            #expect(try await etcd.count(prefix: "/v1/") == 0)
        }
    }

    @Test("a transaction that rewrites keys and puts under a deleted prefix runs like its operations in order")
    func foldedTransaction() async throws {
        try await withEtcd { _, etcd in
            for key in ["/r/a", "/r/b", "/r/c"] { try await etcd.put(key, bytes("old")) }
            let result = try await etcd.commit(
                Transaction(operations: [
                    .put("/r/a", bytes("1")), .deletePrefix("/r/"), .put("/r/b", bytes("2")), .put("/r/b", bytes("3")),
                    .put("/s", bytes("4")), .delete("/s"), .put("/t", bytes("5")),
                ]))
            #expect(result.succeeded)
            let page = try await etcd.range(prefix: "/", startAfter: nil, limit: 100)
            #expect(page.items.map(\.key) == ["/r/b", "/t"])
            #expect(page.items.map(\.value) == [bytes("3"), bytes("5")])
        }
    }

    @Test("a transaction over etcd's operation limit is refused with the limit named, and nothing is written")
    func transactionLimit() async throws {
        try await withEtcd { _, etcd in
            let operations = (0..<129).map { Transaction.Operation.put("/big/\($0)", [1]) }
            await #expect { try await etcd.commit(Transaction(operations: operations)) } throws: {
                isStoreError($0, .invalidArgument, "--max-txn-ops")
            }
            #expect(try await etcd.count(prefix: "/big/") == 0)
            let within = try await etcd.commit(Transaction(operations: Array(operations.prefix(128))))
            #expect(within.succeeded)
        }
    }

    @Test("a raised --max-txn-ops lets a larger transaction through atomically")
    func raisedTransactionLimit() async throws {
        let raised: (inout EtcdConfiguration) -> Void = { $0.maxTransactionOperations = 1024 }
        try await withEtcd(extraArguments: ["--max-txn-ops=1024"], configure: raised) { (_, etcd) async throws in
            let operations = (0..<600).map { Transaction.Operation.put("/big/\($0)", [1]) }
            #expect(try await etcd.commit(Transaction(operations: operations)).succeeded)
            #expect(try await etcd.count(prefix: "/big/") == 600)
        }
    }

    @Test("a request over etcd's size limit is refused before it is sent")
    func requestSize() async throws {
        try await withEtcd { _, etcd in
            await #expect { try await etcd.put("/huge", [UInt8](repeating: 7, count: 2 * 1024 * 1024)) } throws: {
                isStoreError($0, .invalidArgument, "--max-request-bytes")
            }
            try await etcd.put("/large", [UInt8](repeating: 7, count: 1024 * 1024))
            #expect(try await etcd.get("/large")?.value.count == 1024 * 1024)
        }
    }

    @Test("empty keys are refused and a closed backend refuses every call")
    func badCallsAndClose() async throws {
        try await withEtcd { _, etcd in
            await #expect { try await etcd.put("", [1]) } throws: { isStoreError($0, .invalidArgument) }
            await #expect { try await etcd.get("") } throws: { isStoreError($0, .invalidArgument) }
            try await etcd.close()
            await #expect { try await etcd.get("/k") } throws: { isStoreError($0, .closed) }
            await #expect { try await etcd.put("/k", [1]) } throws: { isStoreError($0, .closed) }
        }
    }
}
