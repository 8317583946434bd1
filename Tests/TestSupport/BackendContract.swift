import Store
import Testing

/// The behaviour every `Backend` must have, as reusable checks: the SQLite and etcd suites run the same list.
///
/// Use from a test target as a parameterised test:
/// ```swift
/// @Test(arguments: BackendContract.Check.allCases)
/// func contract(_ check: BackendContract.Check) async throws {
///     try await BackendContract.run(check, on: try makeFreshBackend())
/// }
/// ```
/// Each check expects an empty store and writes only under `/contract/`.
public enum BackendContract {
    /// One behaviour of the contract.
    public enum Check: String, CaseIterable, Sendable, CustomTestStringConvertible {
        case getAndPut
        case putIfAbsent
        case putIfRevision
        case conditionalDelete
        case deletePrefixAndCount
        case rangePagesInKeyOrder
        case rangeSeparatesSiblingPrefixes
        case transactionIsAllOrNothing
        case revisionsIncrease
        case largeAndEmptyValues
        case concurrentCompareAndSwap

        public var testDescription: String { rawValue }
    }

    /// Runs one check against `backend` (which should be empty).
    public static func run(_ check: Check, on backend: any Backend) async throws {
        switch check {
        case .getAndPut: try await getAndPut(backend)
        case .putIfAbsent: try await putIfAbsent(backend)
        case .putIfRevision: try await putIfRevision(backend)
        case .conditionalDelete: try await conditionalDelete(backend)
        case .deletePrefixAndCount: try await deletePrefixAndCount(backend)
        case .rangePagesInKeyOrder: try await rangePagesInKeyOrder(backend)
        case .rangeSeparatesSiblingPrefixes: try await rangeSeparatesSiblingPrefixes(backend)
        case .transactionIsAllOrNothing: try await transactionIsAllOrNothing(backend)
        case .revisionsIncrease: try await revisionsIncrease(backend)
        case .largeAndEmptyValues: try await largeAndEmptyValues(backend)
        case .concurrentCompareAndSwap: try await concurrentCompareAndSwap(backend)
        }
    }

    /// Runs every check, each on a fresh backend from `make`, closing it afterwards.
    public static func runAll(_ make: () async throws -> any Backend) async throws {
        for check in Check.allCases {
            let backend = try await make()
            try await run(check, on: backend)
            try await backend.close()
        }
    }

    static func bytes(_ string: String) -> [UInt8] { Array(string.utf8) }

    static func expectConditionFailed(_ body: () async throws -> Void, sourceLocation: SourceLocation = #_sourceLocation)
        async
    {
        do {
            try await body()
            Issue.record("expected StoreError.conditionFailed, nothing was thrown", sourceLocation: sourceLocation)
        } catch let error as StoreError {
            #expect(error.kind == .conditionFailed, "\(error)", sourceLocation: sourceLocation)
        } catch {
            Issue.record("expected StoreError.conditionFailed, got \(error)", sourceLocation: sourceLocation)
        }
    }

    // MARK: - Single keys

    static func getAndPut(_ backend: any Backend) async throws {
        #expect(try await backend.get("/contract/a") == nil)
        let first = try await backend.put("/contract/a", bytes("one"))
        let read = try #require(try await backend.get("/contract/a"))
        #expect(read == KeyValue(key: "/contract/a", value: bytes("one"), createRevision: first, modRevision: first))
        let second = try await backend.put("/contract/a", bytes("two"))
        #expect(second > first)
        let updated = try #require(try await backend.get("/contract/a"))
        #expect(updated.value == bytes("two"))
        #expect(updated.createRevision == first)
        #expect(updated.modRevision == second)
        #expect(try await backend.get("/contract/a/") == nil)
        #expect(try await backend.get("/contract/") == nil)
    }

    static func putIfAbsent(_ backend: any Backend) async throws {
        try await backend.put("/contract/k", bytes("first"), condition: .absent)
        await expectConditionFailed { try await backend.put("/contract/k", bytes("second"), condition: .absent) }
        #expect(try await backend.get("/contract/k")?.value == bytes("first"))
    }

    static func putIfRevision(_ backend: any Backend) async throws {
        let revision = try await backend.put("/contract/k", bytes("v1"))
        let next = try await backend.put("/contract/k", bytes("v2"), condition: .revision(revision))
        #expect(next > revision)
        await expectConditionFailed { try await backend.put("/contract/k", bytes("stale"), condition: .revision(revision)) }
        await expectConditionFailed { try await backend.put("/contract/missing", bytes("x"), condition: .revision(next)) }
        #expect(try await backend.get("/contract/k")?.value == bytes("v2"))
        #expect(try await backend.get("/contract/missing") == nil)
    }

    static func conditionalDelete(_ backend: any Backend) async throws {
        #expect(try await backend.delete("/contract/none") == false)
        let revision = try await backend.put("/contract/k", bytes("v"))
        await expectConditionFailed { try await backend.delete("/contract/k", condition: .revision(revision + 100)) }
        #expect(try await backend.get("/contract/k") != nil)
        #expect(try await backend.delete("/contract/k", condition: .revision(revision)))
        #expect(try await backend.get("/contract/k") == nil)
        await expectConditionFailed { try await backend.delete("/contract/k", condition: .revision(revision)) }
        try await backend.put("/contract/j", bytes("v"))
        #expect(try await backend.delete("/contract/j"))
        #expect(try await backend.get("/contract/j") == nil)
    }

    static func deletePrefixAndCount(_ backend: any Backend) async throws {
        for key in ["/contract/v1/task/a", "/contract/v1/task/b", "/contract/v1/task2/c", "/contract/v1/taskx"] {
            try await backend.put(key, bytes(key))
        }
        #expect(try await backend.count(prefix: "/contract/v1/task/") == 2)
        #expect(try await backend.count(prefix: "/contract/v1/task") == 4)
        #expect(try await backend.count(prefix: "/contract/v1/") == 4)
        #expect(try await backend.count(prefix: "/contract/v9/") == 0)
        #expect(try await backend.deletePrefix("/contract/v1/task/") == 2)
        #expect(try await backend.get("/contract/v1/task/a") == nil)
        #expect(try await backend.get("/contract/v1/task2/c") != nil)
        #expect(try await backend.get("/contract/v1/taskx") != nil)
        #expect(try await backend.count(prefix: "/contract/v1/") == 2)
        #expect(try await backend.deletePrefix("/contract/v1/task/") == 0)
    }

    // MARK: - Ranges

    static func readAll(_ backend: any Backend, prefix: String, limit: Int) async throws -> (keys: [String], pages: Int) {
        var keys: [String] = []
        var startAfter: String?
        var pages = 0
        while true {
            let page = try await backend.range(prefix: prefix, startAfter: startAfter, limit: limit)
            pages += 1
            #expect(page.items.count <= limit)
            keys += page.items.map(\.key)
            guard page.more else { break }
            #expect(page.items.count == limit)
            guard let last = page.items.last else {
                Issue.record("a page with more == true had no items")
                break
            }
            startAfter = last.key
            if pages > 1000 { break }
        }
        return (keys, pages)
    }

    static func rangePagesInKeyOrder(_ backend: any Backend) async throws {
        var keys = (0..<23).map { "/contract/r/" + String(format3: $0) }
        keys += ["/contract/r/010/a", "/contract/r/010/b/c", "/contract/r/z", "/contract/r/é", "/contract/r/Z"]
        for key in keys.shuffled() { try await backend.put(key, bytes(key)) }
        try await backend.put("/contract/q", bytes("before"))
        try await backend.put("/contract/s", bytes("after"))
        let expected = keys.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
        for limit in [1, 7, expected.count, expected.count + 5] {
            let (read, pages) = try await readAll(backend, prefix: "/contract/r/", limit: limit)
            #expect(read == expected, "limit \(limit)")
            #expect(pages == max(1, (expected.count + limit - 1) / limit), "limit \(limit)")
        }
        let page = try await backend.range(prefix: "/contract/r/", startAfter: "/contract/r/010", limit: 3)
        #expect(page.items.map(\.key) == ["/contract/r/010/a", "/contract/r/010/b/c", "/contract/r/011"])
        #expect(page.items.first?.value == bytes("/contract/r/010/a"))
        let before = try await backend.range(prefix: "/contract/r/", startAfter: "/contract/a", limit: 2)
        #expect(before.items.map(\.key) == Array(expected.prefix(2)))
        let empty = try await backend.range(prefix: "/contract/none/", startAfter: nil, limit: 10)
        #expect(empty == RangePage(items: [], more: false))
    }

    static func rangeSeparatesSiblingPrefixes(_ backend: any Backend) async throws {
        let task = ["/contract/v1/task/a", "/contract/v1/task/b/0"]
        let others = ["/contract/v1/task2/a", "/contract/v1/task", "/contract/v1/taskz", "/contract/v1/tas"]
        for key in task + others { try await backend.put(key, bytes(key)) }
        #expect(try await readAll(backend, prefix: "/contract/v1/task/", limit: 1).keys == task)
        #expect(try await readAll(backend, prefix: "/contract/v1/task2/", limit: 10).keys == ["/contract/v1/task2/a"])
        let all = try await readAll(backend, prefix: "/contract/v1/", limit: 2).keys
        #expect(all == (task + others).sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) })
    }

    // MARK: - Transactions and revisions

    static func transactionIsAllOrNothing(_ backend: any Backend) async throws {
        let revision = try await backend.put("/contract/t/guard", bytes("g"))
        try await backend.put("/contract/t/old", bytes("old"))
        try await backend.put("/contract/t/p/1", bytes("p"))
        let failing = Transaction(
            conditions: [.exists("/contract/t/guard"), .revision("/contract/t/guard", equals: revision + 1)],
            operations: [.put("/contract/t/new", bytes("new")), .delete("/contract/t/old")])
        let failed = try await backend.commit(failing)
        #expect(failed.succeeded == false)
        #expect(try await backend.get("/contract/t/new") == nil)
        #expect(try await backend.get("/contract/t/old") != nil)
        let absentFails = try await backend.commit(
            Transaction(conditions: [.absent("/contract/t/guard")], operations: [.put("/contract/t/new", [1])]))
        #expect(absentFails.succeeded == false)
        #expect(try await backend.get("/contract/t/new") == nil)

        let passing = Transaction(
            conditions: [
                .exists("/contract/t/guard"), .revision("/contract/t/guard", equals: revision),
                .absent("/contract/t/new"),
            ],
            operations: [
                .put("/contract/t/new", bytes("new")), .put("/contract/t/new2", bytes("new2")),
                .delete("/contract/t/old"), .deletePrefix("/contract/t/p/"),
            ])
        let result = try await backend.commit(passing)
        #expect(result.succeeded)
        #expect(result.revision > revision)
        let new = try #require(try await backend.get("/contract/t/new"))
        let new2 = try #require(try await backend.get("/contract/t/new2"))
        #expect(new.value == bytes("new") && new2.value == bytes("new2"))
        #expect(new.modRevision == result.revision && new2.modRevision == result.revision)
        #expect(try await backend.get("/contract/t/old") == nil)
        #expect(try await backend.count(prefix: "/contract/t/p/") == 0)

        let many = Transaction(operations: (0..<600).map { .put("/contract/bulk/\(String(format3: $0))", [UInt8($0 % 256)]) })
        #expect(try await backend.commit(many).succeeded)
        #expect(try await backend.count(prefix: "/contract/bulk/") == 600)
    }

    static func revisionsIncrease(_ backend: any Backend) async throws {
        var last: Int64 = 0
        for index in 0..<20 {
            let revision = try await backend.put("/contract/rev/\(index % 3)", [UInt8(index)])
            #expect(revision > last)
            last = revision
        }
        let deleted = try await backend.commit(Transaction(operations: [.delete("/contract/rev/0")]))
        #expect(deleted.revision > last)
        let next = try await backend.put("/contract/rev/0", [1])
        #expect(next > deleted.revision)
        let recreated = try #require(try await backend.get("/contract/rev/0"))
        #expect(recreated.createRevision == next)
    }

    static func largeAndEmptyValues(_ backend: any Backend) async throws {
        let large = (0..<(1 << 20)).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 7) }
        try await backend.put("/contract/large", large)
        #expect(try await backend.get("/contract/large")?.value == large)
        try await backend.put("/contract/empty", [])
        let empty = try #require(try await backend.get("/contract/empty"))
        #expect(empty.value == [])
        let page = try await backend.range(prefix: "/contract/", startAfter: nil, limit: 10)
        #expect(page.items.map(\.key) == ["/contract/empty", "/contract/large"])
        #expect(page.items.last?.value.count == 1 << 20)
    }
}

extension BackendContract {
    /// Concurrent callers incrementing one counter with compare-and-swap: no lost update, no torn read.
    static func concurrentCompareAndSwap(_ backend: any Backend) async throws {
        try await backend.put("/contract/counter", bytes("0"))
        let workers = 8
        let incrementsEach = 10
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<workers {
                group.addTask {
                    var done = 0
                    var attempts = 0
                    while done < incrementsEach && attempts < 10_000 {
                        attempts += 1
                        guard let current = try await backend.get("/contract/counter"),
                            let value = Int(String(decoding: current.value, as: UTF8.self))
                        else {
                            Issue.record("the counter vanished or is not a number")
                            return
                        }
                        do {
                            try await backend.put(
                                "/contract/counter", bytes(String(value + 1)), condition: .revision(current.modRevision))
                            done += 1
                        } catch let error as StoreError where error.kind == .conditionFailed {
                            continue
                        }
                    }
                    #expect(done == incrementsEach)
                }
            }
            try await group.waitForAll()
        }
        let final = try #require(try await backend.get("/contract/counter"))
        #expect(String(decoding: final.value, as: UTF8.self) == String(workers * incrementsEach))
    }
}

extension String {
    /// A zero-padded three-digit decimal, so numeric keys sort as strings.
    init(format3 value: Int) {
        let digits = String(value)
        self = String(repeating: "0", count: Swift.max(0, 3 - digits.count)) + digits
    }
}
