/// The streaming copy: old root → record groups → migration chain in memory → batched writes to the new root.
///
/// Memory holds one page of keys and one batch of writes, whatever the store's size.
extension Migrator {
    func copy(
        _ backend: any Backend, from: Int, to: Int, context: MigrationContext,
        progress: (@Sendable (Progress) -> Void)?
    ) async throws -> Summary {
        let source = KeyLayout(version: from)
        let destination = KeyLayout(version: to)
        var batch = WriteBatch(backend: backend, limit: batchSize)
        // Group members are looked up one by one; skip the lookups under prefixes this root has no key in
        // (data version 1 has no split halves, so its groups cost no extra read).
        var populated: Set<String> = []
        for prefix in RecordKeys.groupedPrefixes {
            let first = try await backend.range(prefix: source.absolute(prefix), startAfter: nil, limit: 1)
            if !first.items.isEmpty { populated.insert(prefix) }
        }
        var groups = 0
        var startAfter: String?
        while true {
            let page = try await backend.range(prefix: source.root, startAfter: startAfter, limit: pageSize)
            for item in page.items {
                guard let key = source.relative(item.key) else { continue }
                guard let group = try await group(leading: key, value: item.value, in: source, populated: populated, backend)
                else {
                    continue
                }
                let migrated: [Record]
                do {
                    migrated = try transform(group, from: from, to: to, context: context)
                } catch {
                    throw StepFailure(groupKeys: group.map(\.key), underlying: error)
                }
                for record in migrated {
                    guard !record.key.isEmpty, !record.key.hasPrefix("/") else {
                        throw StepFailure(
                            groupKeys: group.map(\.key),
                            underlying: MigrationError("a migration produced the invalid key '\(record.key)'"))
                    }
                    try await batch.put(destination.absolute(record.key), record.value)
                }
                groups += 1
            }
            try await batch.flushIfFull()
            progress?(Progress(from: from, to: to, groupsRead: groups, recordsWritten: batch.written))
            guard page.more, let last = page.items.last else { break }
            startAfter = last.key
        }
        try await batch.flush()
        return Summary(from: from, to: to, groups: groups, recordsWritten: batch.written)
    }

    /// The record group `key` leads, or nil when a lower-sorted member exists (that member leads it).
    func group(
        leading key: String, value: [UInt8], in layout: KeyLayout, populated: Set<String>, _ backend: any Backend
    ) async throws -> [Record]? {
        let members = RecordKeys.groupMembers(of: key)
        if members.count == 1 { return [Record(key: key, value: value)] }
        var group: [Record] = []
        for member in members where member != key {
            guard populated.contains(where: { member.hasPrefix($0) }) else { continue }
            let before = Array(member.utf8).lexicographicallyPrecedes(Array(key.utf8))
            guard let stored = try await backend.get(layout.absolute(member)) else { continue }
            if before { return nil }
            group.append(Record(key: member, value: stored.value))
        }
        group.insert(Record(key: key, value: value), at: 0)
        return group
    }
}

/// Puts gathered into transactions of at most `limit` operations.
struct WriteBatch {
    let backend: any Backend
    let limit: Int
    var operations: [Transaction.Operation] = []
    var written = 0

    init(backend: any Backend, limit: Int) {
        self.backend = backend
        self.limit = Swift.max(1, limit)
        operations.reserveCapacity(self.limit)
    }

    mutating func put(_ key: String, _ value: [UInt8]) async throws {
        operations.append(.put(key, value))
        try await flushIfFull()
    }

    mutating func flushIfFull() async throws {
        if operations.count >= limit { try await flush() }
    }

    mutating func flush() async throws {
        guard !operations.isEmpty else { return }
        let result = try await backend.commit(Transaction(operations: operations))
        guard result.succeeded else { throw StoreError.backendFailure("an unconditional migration write was refused") }
        written += operations.count
        operations.removeAll(keepingCapacity: true)
    }
}
