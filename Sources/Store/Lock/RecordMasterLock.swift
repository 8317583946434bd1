import Foundation

/// The master lock as one record with an expiry, taken and renewed by compare-and-swap: the lock of the
/// embedded SQLite store, where every bbs process shares one database file.
///
/// The record at `key` holds `{owner_id, advertise_url, expires_at_unix_ms}`. Taking a free or expired
/// lock deletes and re-creates the record in one transaction conditioned on the revision that was read,
/// so two standbys racing for it cannot both win, and the new holder's fence (the record's create
/// revision) differs from every earlier holder's. Renewing rewrites the record conditioned on the fence.
/// Expiry is wall-clock time, which every process on one machine shares.
public struct RecordMasterLock: MasterLock {
    public let key: String
    private let backend: any Backend
    private let now: @Sendable () -> Date

    /// The record's value.
    struct Record: Codable, Equatable {
        var owner: LockOwner
        var expiresAtUnixMilliseconds: Int64

        enum CodingKeys: String, CodingKey {
            case ownerID = "owner_id"
            case url = "advertise_url"
            case expiresAtUnixMilliseconds = "expires_at_unix_ms"
        }

        init(owner: LockOwner, expiresAtUnixMilliseconds: Int64) {
            self.owner = owner
            self.expiresAtUnixMilliseconds = expiresAtUnixMilliseconds
        }

        init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            owner = LockOwner(
                id: try container.decode(String.self, forKey: .ownerID), url: try container.decode(String.self, forKey: .url))
            expiresAtUnixMilliseconds = try container.decode(Int64.self, forKey: .expiresAtUnixMilliseconds)
        }

        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(owner.id, forKey: .ownerID)
            try container.encode(owner.url, forKey: .url)
            try container.encode(expiresAtUnixMilliseconds, forKey: .expiresAtUnixMilliseconds)
        }
    }

    /// The default key of the bbs master lock, outside every data-version root.
    public static let defaultKey = "/locks/bbs_master"

    public init(backend: any Backend, key: String = Self.defaultKey, now: @escaping @Sendable () -> Date = { Date() }) {
        self.backend = backend
        self.key = key
        self.now = now
    }

    public func acquire(as owner: LockOwner, ttl: Duration) async throws -> LockAttempt {
        let value = try encode(owner: owner, ttl: ttl)
        let existing = try await backend.get(key)
        var transaction = Transaction()
        if let existing {
            let record = try decode(existing.value)
            if record.owner.id != owner.id && !isExpired(record) { return .heldByOther(record.owner) }
            transaction.conditions = [.revision(key, equals: existing.modRevision)]
            transaction.operations = [.delete(key), .put(key, value)]
        } else {
            transaction.conditions = [.absent(key)]
            transaction.operations = [.put(key, value)]
        }
        let result = try await backend.commit(transaction)
        guard result.succeeded else {
            // Someone else wrote the record between our read and our write: report who.
            if let holder = try await holder(), holder.id != owner.id { return .heldByOther(holder) }
            throw StoreError.conditionFailed("the master lock \(key) changed while it was being taken; try again")
        }
        return .acquired(LockFence(key: key, createRevision: result.revision))
    }

    public func renew(_ fence: LockFence, as owner: LockOwner, ttl: Duration) async throws -> Bool {
        let result = try await backend.commit(
            Transaction(conditions: [fence.condition], operations: [.put(key, try encode(owner: owner, ttl: ttl))]))
        return result.succeeded
    }

    public func release(_ fence: LockFence) async throws {
        _ = try await backend.commit(Transaction(conditions: [fence.condition], operations: [.delete(key)]))
    }

    public func holder() async throws -> LockOwner? {
        guard let existing = try await backend.get(key) else { return nil }
        let record = try decode(existing.value)
        return isExpired(record) ? nil : record.owner
    }

    // MARK: - Record

    private func encode(owner: LockOwner, ttl: Duration) throws -> [UInt8] {
        let expiry = now().addingTimeInterval(ttl.seconds)
        let record = Record(owner: owner, expiresAtUnixMilliseconds: Int64(expiry.timeIntervalSince1970 * 1000))
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        return Array(try encoder.encode(record))
    }

    private func decode(_ bytes: [UInt8]) throws -> Record {
        do {
            return try JSONDecoder().decode(Record.self, from: Data(bytes))
        } catch {
            throw StoreError.corruptRecord(
                "the master lock record at \(key) is not {owner_id, advertise_url, expires_at_unix_ms}: "
                    + String(decoding: bytes.prefix(200), as: UTF8.self))
        }
    }

    private func isExpired(_ record: Record) -> Bool {
        Int64(now().timeIntervalSince1970 * 1000) >= record.expiresAtUnixMilliseconds
    }
}
