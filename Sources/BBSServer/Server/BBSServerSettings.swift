import RPC
import Store

/// Everything the server needs once flags and the config file are resolved and checked.
///
/// Exists so the composition root (`BBSServer`) takes one value, and so that a bad flag or config file
/// is refused while resolving it, before anything is touched.
public struct BBSServerSettings: Sendable {
    /// How the gRPC port listens (address, mTLS files or plaintext, message limits).
    public var rpc: RPCServerConfiguration
    /// Where clients reach this instance; written in the lock record for the redirects.
    public var advertiseURL: String
    /// This instance's id in the master lock (Diego's `uuid`).
    public var instanceID: String
    public var lockTTL: Duration
    public var lockRetryInterval: Duration
    /// How long calls in flight may take to finish after SIGTERM.
    public var drainTimeout: Duration
    /// The operators' plain-HTTP endpoint (`/healthz`), on loopback.
    public var debugHost: String
    public var debugPort: Int
    /// How records are written (encryption keys).
    public var codec: RecordCodec
    /// The migrations of this release.
    public var migrator: Migrator

    public init(
        rpc: RPCServerConfiguration, advertiseURL: String, instanceID: String, lockTTL: Duration,
        lockRetryInterval: Duration, drainTimeout: Duration, debugHost: String, debugPort: Int, codec: RecordCodec,
        migrator: Migrator
    ) {
        self.rpc = rpc
        self.advertiseURL = advertiseURL
        self.instanceID = instanceID
        self.lockTTL = lockTTL
        self.lockRetryInterval = lockRetryInterval
        self.drainTimeout = drainTimeout
        self.debugHost = debugHost
        self.debugPort = debugPort
        self.codec = codec
        self.migrator = migrator
    }
}
