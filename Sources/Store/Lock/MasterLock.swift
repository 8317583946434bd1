/// The one lock that makes a bbs process the master: whoever holds it serves and writes, everybody else
/// redirects to it.
///
/// Exists so the election (`MasterElection`) runs unchanged on SQLite (a lock row renewed by
/// compare-and-swap, `RecordMasterLock`) and on etcd (a lease with keep-alive, `EtcdMasterLock`). Every
/// call is one attempt: it either succeeds, reports who holds the lock, or throws (the store could not
/// be reached), and the election decides what that means.
public protocol MasterLock: Sendable {
    /// The key the lock lives at; `FencedBackend` conditions every write on it.
    var key: String { get }

    /// Takes the lock when it is free, expired, or held by an earlier run of the same owner id.
    func acquire(as owner: LockOwner, ttl: Duration) async throws -> LockAttempt

    /// Extends the lock this process holds by `ttl`; false when it is no longer ours (expired and taken,
    /// or deleted), in which case the holder must stop acting as the master at once.
    func renew(_ fence: LockFence, as owner: LockOwner, ttl: Duration) async throws -> Bool

    /// Gives the lock up, if it is still ours, so that a standby takes over without waiting for the TTL.
    func release(_ fence: LockFence) async throws

    /// The current, unexpired holder (nil when nobody holds the lock).
    func holder() async throws -> LockOwner?
}

/// Who holds (or asks for) the lock: an id unique to the process and the URL clients reach it at.
///
/// Written in the lock record, so a standby can answer every call with a redirect to the master.
public struct LockOwner: Sendable, Equatable, Codable, CustomStringConvertible {
    /// Unique per bbs instance (Diego's `uuid`).
    public var id: String
    /// Where clients reach this instance, e.g. `https://10.0.0.2:8889`.
    public var url: String

    public init(id: String, url: String) {
        self.id = id
        self.url = url
    }

    enum CodingKeys: String, CodingKey {
        case id = "owner_id"
        case url = "advertise_url"
    }

    public var description: String { "\(id) at \(url)" }
}

/// The proof of holding the lock that every write of the master carries.
///
/// The lock key's create revision changes only when the lock is deleted and taken again, so a write
/// conditioned on it (`Transaction.Condition.created`) cannot land once another process took the lock,
/// even if this one was paused or partitioned and does not know it yet.
public struct LockFence: Sendable, Equatable, CustomStringConvertible {
    public var key: String
    public var createRevision: Int64

    public init(key: String, createRevision: Int64) {
        self.key = key
        self.createRevision = createRevision
    }

    /// The transaction condition that holds only while this fence does.
    public var condition: Transaction.Condition { .created(key, revision: createRevision) }

    public var description: String { "\(key)@\(createRevision)" }
}

/// The outcome of one attempt to take the lock.
public enum LockAttempt: Sendable, Equatable {
    /// The lock is ours, with this fence.
    case acquired(LockFence)
    /// Another live process holds it.
    case heldByOther(LockOwner)
}
