internal import CSQLite

/// One open SQLite database handle with its cache of prepared statements.
///
/// Owns the `sqlite3*` and every `sqlite3_stmt*`; none escapes it, all are finalized in `close`/`deinit`.
/// Not thread-safe by itself: `SQLiteBackend` confines it to one serial queue.
final class SQLiteConnection {
    private var db: OpaquePointer?
    private var statements: [String: OpaquePointer] = [:]

    init(path: String) throws {
        var handle: OpaquePointer?
        let flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX
        let rc = sqlite3_open_v2(path, &handle, flags, nil)
        guard rc == SQLITE_OK, let handle else {
            let message = handle.map { String(cString: sqlite3_errmsg($0)) } ?? "out of memory"
            sqlite3_close_v2(handle)
            throw StoreError.backendFailure("cannot open SQLite database \(path): \(message)")
        }
        db = handle
    }

    deinit {
        close()
    }

    var isOpen: Bool { db != nil }

    func close() {
        for statement in statements.values { sqlite3_finalize(statement) }
        statements.removeAll()
        if let db { sqlite3_close_v2(db) }
        db = nil
    }

    /// Runs SQL without results (pragmas, schema, BEGIN/COMMIT).
    func execute(_ sql: String) throws {
        guard let db else { throw StoreError.closed("the SQLite store is closed") }
        var errorMessage: UnsafeMutablePointer<CChar>?
        let rc = sqlite3_exec(db, sql, nil, nil, &errorMessage)
        if rc != SQLITE_OK {
            let message = errorMessage.map { String(cString: $0) } ?? "code \(rc)"
            sqlite3_free(errorMessage)
            throw StoreError.backendFailure("SQLite: \(message) (in \(sql))")
        }
    }

    /// Rows changed by the last statement.
    var changes: Int {
        guard let db else { return 0 }
        return Int(sqlite3_changes(db))
    }

    /// Runs `body` with the cached prepared statement for `sql`, reset and unbound afterwards.
    func withStatement<T>(_ sql: String, _ body: (SQLiteStatement) throws -> T) throws -> T {
        guard let db else { throw StoreError.closed("the SQLite store is closed") }
        let handle: OpaquePointer
        if let cached = statements[sql] {
            handle = cached
        } else {
            var prepared: OpaquePointer?
            let rc = sqlite3_prepare_v3(db, sql, -1, UInt32(SQLITE_PREPARE_PERSISTENT), &prepared, nil)
            guard rc == SQLITE_OK, let prepared else { throw error(rc, sql) }
            statements[sql] = prepared
            handle = prepared
        }
        defer {
            sqlite3_reset(handle)
            sqlite3_clear_bindings(handle)
        }
        return try body(SQLiteStatement(handle: handle, connection: self))
    }

    func error(_ rc: Int32, _ context: String) -> StoreError {
        let message = db.map { String(cString: sqlite3_errmsg($0)) } ?? "closed"
        return StoreError.backendFailure("SQLite error \(rc): \(message) (in \(context))")
    }
}

/// A borrowed prepared statement: bind, step, read columns. Valid only inside `withStatement`.
struct SQLiteStatement {
    let handle: OpaquePointer
    unowned let connection: SQLiteConnection

    func bind(_ index: Int32, text bytes: [UInt8]) throws {
        guard !bytes.isEmpty else { return try bind(index, text: "") }
        let rc = bytes.withUnsafeBytes { buffer in
            sqlite3_bind_text(
                handle, index, buffer.baseAddress?.assumingMemoryBound(to: CChar.self), Int32(buffer.count),
                shim_sqlite_transient())
        }
        try check(rc, "bind text")
    }

    func bind(_ index: Int32, text: String) throws {
        if text.isEmpty {
            return try check(sqlite3_bind_text(handle, index, "", 0, shim_sqlite_transient()), "bind text")
        }
        var string = text
        let rc = string.withUTF8 { buffer in
            buffer.withMemoryRebound(to: CChar.self) {
                sqlite3_bind_text(handle, index, $0.baseAddress, Int32($0.count), shim_sqlite_transient())
            }
        }
        try check(rc, "bind text")
    }

    func bind(_ index: Int32, blob: [UInt8]) throws {
        let rc: Int32
        if blob.isEmpty {
            rc = sqlite3_bind_zeroblob(handle, index, 0)
        } else {
            rc = blob.withUnsafeBytes {
                sqlite3_bind_blob(handle, index, $0.baseAddress, Int32($0.count), shim_sqlite_transient())
            }
        }
        try check(rc, "bind blob")
    }

    func bind(_ index: Int32, int: Int64) throws {
        try check(sqlite3_bind_int64(handle, index, int), "bind int")
    }

    /// Steps once: true when a row is available, false when done.
    func step() throws -> Bool {
        let rc = sqlite3_step(handle)
        switch rc {
        case SQLITE_ROW: return true
        case SQLITE_DONE: return false
        default: throw connection.error(rc, String(cString: sqlite3_sql(handle)))
        }
    }

    func int(_ column: Int32) -> Int64 { sqlite3_column_int64(handle, column) }

    func text(_ column: Int32) -> String {
        guard let pointer = sqlite3_column_text(handle, column) else { return "" }
        let count = Int(sqlite3_column_bytes(handle, column))
        return String(decoding: UnsafeBufferPointer(start: pointer, count: count), as: UTF8.self)
    }

    func blob(_ column: Int32) -> [UInt8] {
        guard let pointer = sqlite3_column_blob(handle, column) else { return [] }
        let count = Int(sqlite3_column_bytes(handle, column))
        return Array(UnsafeRawBufferPointer(start: pointer, count: count))
    }

    private func check(_ rc: Int32, _ what: String) throws {
        guard rc == SQLITE_OK else { throw connection.error(rc, what) }
    }
}
