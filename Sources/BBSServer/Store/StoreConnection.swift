import Store

/// An open store with its master lock and the largest transaction it takes.
///
/// Exists so the server and `bbs migrate` get the backend and the lock of either engine (SQLite or etcd)
/// from one value, built by `StoreOptions.connect()`.
public struct StoreConnection: Sendable {
    public var backend: any Backend
    public var lock: any MasterLock
    /// The most writes one transaction may carry on this backend (the migrator's batch size).
    public var batchSize: Int
    /// How the store is named in logs, e.g. `sqlite:/var/vcap/store/bbs.db`.
    public var description: String

    public init(backend: any Backend, lock: any MasterLock, batchSize: Int, description: String) {
        self.backend = backend
        self.lock = lock
        self.batchSize = batchSize
        self.description = description
    }
}
