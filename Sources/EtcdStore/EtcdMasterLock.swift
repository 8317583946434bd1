import Store

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// The master lock on etcd: one key on a lease, as Diego's locket keeps its locks with a TTL.
///
/// Exists so that bbs processes sharing an etcd cluster elect one master without a clock of their
/// own: etcd expires the lease of a holder that stopped renewing and deletes the key with it.
///
/// - acquire: grants a lease of the TTL (rounded up to whole seconds, so never shorter), then one
///   Txn "if the key is absent, put `{owner_id, advertise_url}` on the lease, else read it". The
///   fence is the key's create revision. A key held by another owner is reported and the unused
///   lease revoked. A key held by the same owner id (an earlier run of this instance) is deleted,
///   conditioned on its mod revision, and created again on the new lease, so the new run gets a new
///   fence (etcd refuses a delete and a put of one key in one Txn, hence two steps).
/// - renew: reads the key, checks it still has the fence's create revision (a lease can outlive its
///   key, deleted behind its back), and keeps its lease alive.
/// - release: deletes the key if it still has the fence's create revision, then revokes its lease.
///
/// Lost answers are safe: a repeated create Txn finds the key on our own lease (which no other
/// process knows) and reports it as acquired; a call that fails for good leaves at most a lease that
/// expires by itself, and a later acquire of the same owner takes the key over.
public struct EtcdMasterLock: MasterLock {
    public let key: String
    private let etcd: EtcdBackend

    /// The default key, the same as the SQLite store's (`RecordMasterLock.defaultKey`).
    public static let defaultKey = RecordMasterLock.defaultKey

    /// How many create attempts one acquire makes when the key changes under it.
    private static let createAttempts = 3

    public init(backend: EtcdBackend, key: String = Self.defaultKey) {
        self.etcd = backend
        self.key = key
    }

    public func acquire(as owner: LockOwner, ttl: Duration) async throws -> LockAttempt {
        let value = try encode(owner)
        let lease = try await etcd.grantLease(ttl: ttl)
        let attempt: LockAttempt
        do {
            attempt = try await take(value, as: owner, lease: lease)
        } catch {
            // Revoking also deletes the key if a create whose answer was lost put it on this lease.
            try? await etcd.revokeLease(lease)
            throw error
        }
        if case .heldByOther = attempt { try? await etcd.revokeLease(lease) }
        return attempt
    }

    private func take(_ value: [UInt8], as owner: LockOwner, lease: Int64) async throws -> LockAttempt {
        for _ in 0..<Self.createAttempts {
            switch try await etcd.createLeased(key, value, lease: lease) {
            case .created(let revision):
                return .acquired(LockFence(key: key, createRevision: revision))
            case .exists(let current):
                let holder = try decode(current.value)
                guard holder.id == owner.id else { return .heldByOther(holder) }
                // An earlier run of this instance holds it: take it over with a new fence.
                if try await etcd.deleteLeased(key, modifiedAt: current.modRevision), current.lease != 0 {
                    try? await etcd.revokeLease(current.lease)
                }
            }
        }
        throw StoreError.conditionFailed(
            "the master lock \(key) changed \(Self.createAttempts) times while it was being taken; try again")
    }

    /// The lease keeps the TTL it was granted with: `ttl` is not used (etcd cannot change a lease's TTL).
    public func renew(_ fence: LockFence, as owner: LockOwner, ttl: Duration) async throws -> Bool {
        guard fence.key == key, let current = try await etcd.leasedKey(key),
            current.createRevision == fence.createRevision, current.lease != 0
        else { return false }
        return try await etcd.renewLease(current.lease) != nil
    }

    public func release(_ fence: LockFence) async throws {
        guard fence.key == key, let released = try await etcd.deleteLeased(key, createdAt: fence.createRevision)
        else { return }
        if released.lease != 0 { try await etcd.revokeLease(released.lease) }
    }

    public func holder() async throws -> LockOwner? {
        guard let current = try await etcd.get(key) else { return nil }
        return try decode(current.value)
    }

    // MARK: - Value

    private func encode(_ owner: LockOwner) throws -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        return Array(try encoder.encode(owner))
    }

    private func decode(_ bytes: [UInt8]) throws -> LockOwner {
        do {
            return try JSONDecoder().decode(LockOwner.self, from: Data(bytes))
        } catch {
            throw StoreError.corruptRecord(
                "the master lock at \(key) is not {owner_id, advertise_url}: "
                    + String(decoding: bytes.prefix(200), as: UTF8.self))
        }
    }
}
