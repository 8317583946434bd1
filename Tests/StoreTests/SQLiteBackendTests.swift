import Foundation
import Store
import TestSupport
import Testing

/// A fresh SQLite file in a new temporary directory.
func makeSQLiteBackend() throws -> (SQLiteBackend, URL) {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("bbs-sqlite-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    let backend = try SQLiteBackend(path: directory.appendingPathComponent("bbs.db").path)
    return (backend, directory)
}

@Suite("SQLiteBackend")
struct SQLiteBackendTests {
    @Test("satisfies the backend contract", arguments: BackendContract.Check.allCases)
    func contract(_ check: BackendContract.Check) async throws {
        let (backend, directory) = try makeSQLiteBackend()
        defer { try? FileManager.default.removeItem(at: directory) }
        try await BackendContract.run(check, on: backend)
        try await backend.close()
    }

    @Test("acknowledged writes and the revision counter survive closing and reopening the file")
    func reopen() async throws {
        let (backend, directory) = try makeSQLiteBackend()
        defer { try? FileManager.default.removeItem(at: directory) }
        try await backend.put("/v3/task/a", Array("a".utf8))
        let revision = try await backend.put("/v3/task/b", Array("b".utf8))
        try await backend.close()
        let reopened = try SQLiteBackend(path: backend.path)
        #expect(try await reopened.get("/v3/task/a")?.value == Array("a".utf8))
        #expect(try await reopened.get("/v3/task/b")?.modRevision == revision)
        #expect(try await reopened.put("/v3/task/c", [1]) == revision + 1)
        try await reopened.close()
    }

    @Test("a closed store refuses calls with a clear error")
    func closed() async throws {
        let (backend, directory) = try makeSQLiteBackend()
        defer { try? FileManager.default.removeItem(at: directory) }
        try await backend.close()
        await #expect(throws: StoreError.closed("the SQLite store \(backend.path) is closed")) {
            try await backend.get("/x")
        }
    }

    @Test("an unopenable path and an empty key are errors, not crashes")
    func badInput() async throws {
        #expect(throws: StoreError.self) { try SQLiteBackend(path: "/nonexistent-dir-\(UUID().uuidString)/x.db") }
        let (backend, directory) = try makeSQLiteBackend()
        defer { try? FileManager.default.removeItem(at: directory) }
        await #expect(throws: StoreError.self) { try await backend.put("", [1]) }
        await #expect(throws: StoreError.self) { try await backend.range(prefix: "/", startAfter: nil, limit: 0) }
        try await backend.close()
    }
}

