/// The synchronous key-value operations over one `SQLiteConnection`: the SQL of `SQLiteBackend`.
///
/// Schema: `kv(key TEXT PRIMARY KEY, value BLOB, create_revision, mod_revision)` (WITHOUT ROWID, so the
/// table is the key index and range reads are ordered by key bytes: TEXT compares with memcmp) and
/// `meta(name, value)` holding the store-wide revision counter. Every write runs in one
/// `BEGIN IMMEDIATE … COMMIT`, so a `Transaction` of 500 puts is one SQLite transaction and one fsync.
final class SQLiteEngine {
    let connection: SQLiteConnection

    init(path: String) throws {
        connection = try SQLiteConnection(path: path)
        try connection.execute("PRAGMA busy_timeout = 5000")
        try connection.execute("PRAGMA journal_mode = WAL")
        // FULL: the WAL is fsynced at every commit, so an acknowledged write survives power loss.
        try connection.execute("PRAGMA synchronous = FULL")
        try connection.execute(
            """
            CREATE TABLE IF NOT EXISTS kv(
              key TEXT PRIMARY KEY NOT NULL, value BLOB NOT NULL,
              create_revision INTEGER NOT NULL, mod_revision INTEGER NOT NULL) WITHOUT ROWID;
            CREATE TABLE IF NOT EXISTS meta(name TEXT PRIMARY KEY NOT NULL, value INTEGER NOT NULL);
            INSERT OR IGNORE INTO meta(name, value) VALUES('revision', 0);
            """)
    }

    func close() {
        connection.close()
    }

    // MARK: - Reads

    func get(_ key: String) throws -> KeyValue? {
        try connection.withStatement("SELECT value, create_revision, mod_revision FROM kv WHERE key = ?1") { s in
            try s.bind(1, text: key)
            guard try s.step() else { return nil }
            return KeyValue(key: key, value: s.blob(0), createRevision: s.int(1), modRevision: s.int(2))
        }
    }

    func range(prefix: String, startAfter: String?, limit: Int) throws -> RangePage {
        guard limit > 0 else { throw StoreError.invalidArgument("range limit must be positive, got \(limit)") }
        let upper = KeyRange.upperBound(of: prefix)
        let exclusiveStart = startAfter.flatMap { KeyRange.precedes(prefix, $0) || $0 == prefix ? $0 : nil }
        let sql =
            exclusiveStart == nil
            ? "SELECT key, value, create_revision, mod_revision FROM kv WHERE key >= ?1 AND key < ?2 ORDER BY key LIMIT ?3"
            : "SELECT key, value, create_revision, mod_revision FROM kv WHERE key > ?1 AND key < ?2 ORDER BY key LIMIT ?3"
        return try connection.withStatement(sql) { s in
            try s.bind(1, text: exclusiveStart ?? prefix)
            try s.bind(2, text: upper)
            try s.bind(3, int: Int64(limit) + 1)
            var items: [KeyValue] = []
            items.reserveCapacity(Swift.min(limit, 1024))
            while try s.step() {
                if items.count == limit { return RangePage(items: items, more: true) }
                items.append(KeyValue(key: s.text(0), value: s.blob(1), createRevision: s.int(2), modRevision: s.int(3)))
            }
            return RangePage(items: items, more: false)
        }
    }

    func count(prefix: String) throws -> Int {
        try connection.withStatement("SELECT count(*) FROM kv WHERE key >= ?1 AND key < ?2") { s in
            try s.bind(1, text: prefix)
            try s.bind(2, text: KeyRange.upperBound(of: prefix))
            _ = try s.step()
            return Int(s.int(0))
        }
    }

    func revision() throws -> Int64 {
        try connection.withStatement("SELECT value FROM meta WHERE name = 'revision'") { s in
            guard try s.step() else { throw StoreError.backendFailure("SQLite store has no revision counter") }
            return s.int(0)
        }
    }

    // MARK: - Writes (inside `writing`)

    /// Runs `body` in one immediate transaction with the next revision; commits when `body` returns true
    /// (something changed), rolls back otherwise or on error. Returns the store revision afterwards.
    func writing(_ body: (Int64) throws -> Bool) throws -> Int64 {
        try connection.execute("BEGIN IMMEDIATE")
        do {
            let current = try revision()
            let next = current + 1
            guard try body(next) else {
                try connection.execute("ROLLBACK")
                return current
            }
            try connection.withStatement("UPDATE meta SET value = ?1 WHERE name = 'revision'") { s in
                try s.bind(1, int: next)
                _ = try s.step()
            }
            try connection.execute("COMMIT")
            return next
        } catch {
            try? connection.execute("ROLLBACK")
            throw error
        }
    }

    func modRevision(_ key: String) throws -> Int64? {
        try connection.withStatement("SELECT mod_revision FROM kv WHERE key = ?1") { s in
            try s.bind(1, text: key)
            return try s.step() ? s.int(0) : nil
        }
    }

    func upsert(_ key: String, _ value: [UInt8], revision: Int64) throws {
        try KeyRange.validate(key)
        try connection.withStatement(
            """
            INSERT INTO kv(key, value, create_revision, mod_revision) VALUES(?1, ?2, ?3, ?3)
            ON CONFLICT(key) DO UPDATE SET value = excluded.value, mod_revision = excluded.mod_revision
            """
        ) { s in
            try s.bind(1, text: key)
            try s.bind(2, blob: value)
            try s.bind(3, int: revision)
            _ = try s.step()
        }
    }

    func remove(_ key: String) throws -> Bool {
        try connection.withStatement("DELETE FROM kv WHERE key = ?1") { s in
            try s.bind(1, text: key)
            _ = try s.step()
        }
        return connection.changes > 0
    }

    func removePrefix(_ prefix: String) throws -> Int {
        try connection.withStatement("DELETE FROM kv WHERE key >= ?1 AND key < ?2") { s in
            try s.bind(1, text: prefix)
            try s.bind(2, text: KeyRange.upperBound(of: prefix))
            _ = try s.step()
        }
        return connection.changes
    }
}

/// Bytewise key-range arithmetic shared by the engines.
enum KeyRange {
    /// The smallest byte string greater than every key starting with `prefix` (an exclusive upper bound).
    /// UTF-8 never contains 0xFF, so a lone 0xFF bounds the empty prefix and a bumped last byte the others.
    static func upperBound(of prefix: String) -> [UInt8] {
        var bytes = Array(prefix.utf8)
        while let last = bytes.last {
            if last < 0xFF {
                bytes[bytes.count - 1] = last + 1
                return bytes
            }
            bytes.removeLast()
        }
        return [0xFF]
    }

    /// Bytewise order of keys (Swift's `String <` is not bytewise).
    static func precedes(_ a: String, _ b: String) -> Bool {
        a.utf8.lexicographicallyPrecedes(b.utf8)
    }

    static func validate(_ key: String) throws {
        guard !key.isEmpty else { throw StoreError.invalidArgument("a key must not be empty") }
    }
}
