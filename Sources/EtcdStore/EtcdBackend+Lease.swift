import RPC
import Store

/// etcd's Lease service methods (`/etcdserverpb.Lease/...`).
enum EtcdLease {
    static let service = "etcdserverpb.Lease"
    static let grant = RPCMethod<Etcdserverpb_LeaseGrantRequest, Etcdserverpb_LeaseGrantResponse>(
        service: service, method: "LeaseGrant", kind: .unary)
    static let revoke = RPCMethod<Etcdserverpb_LeaseRevokeRequest, Etcdserverpb_LeaseRevokeResponse>(
        service: service, method: "LeaseRevoke", kind: .unary)
    static let keepAlive = RPCMethod<Etcdserverpb_LeaseKeepAliveRequest, Etcdserverpb_LeaseKeepAliveResponse>(
        service: service, method: "LeaseKeepAlive", kind: .bidirectionalStreaming)
}

// MARK: - Leases: keys that vanish when their owner stops renewing

/// Leases are what a master lock on etcd is built from (as Diego's locket does with its TTLs):
/// the lock key is put with a lease, the holder renews the lease, and when the holder dies the
/// lease expires and etcd deletes the key. These calls fail over like the KV calls; granting
/// twice after a lost answer only leaves an unused lease that expires on its own.
extension EtcdBackend {
    /// Grants a lease of `ttl` (rounded up to whole seconds, at least 1; etcd may raise it to
    /// its minimum) and returns its id.
    public func grantLease(ttl: Duration) async throws -> Int64 {
        let seconds = max(1, Int64(ttl.seconds.rounded(.up)))
        let (response, _) = try await perform(EtcdLease.grant) { _ in
            var request = Etcdserverpb_LeaseGrantRequest()
            request.ttl = seconds
            return request
        }
        guard response.error.isEmpty else { throw StoreError.backendFailure("etcd refused a lease: \(response.error)") }
        return response.id
    }

    /// Renews lease `id` once; returns its new time-to-live, or nil when it has expired (or
    /// never existed), in which case every key put with it is gone.
    public func renewLease(_ id: Int64) async throws -> Duration? {
        let (ttl, _) = try await withFailover { client, options, _ in
            try await client.bidirectionalStreaming(EtcdLease.keepAlive, options: options) { requests, responses in
                var request = Etcdserverpb_LeaseKeepAliveRequest()
                request.id = id
                try await requests.write(request)
                for try await response in responses { return response.ttl }
                throw StoreError.backendFailure("etcd ended the lease keep-alive without an answer")
            }
        }
        return ttl > 0 ? .seconds(ttl) : nil
    }

    /// Revokes lease `id`, deleting every key put with it. A lease that is already gone is fine.
    public func revokeLease(_ id: Int64) async throws {
        do {
            _ = try await perform(EtcdLease.revoke) { _ in
                var request = Etcdserverpb_LeaseRevokeRequest()
                request.id = id
                return request
            }
        } catch let error as StoreError where error.message.contains("requested lease not found") {
            return
        }
    }

    /// Like `put(_:_:condition:)`, attaching the key to lease `lease` (0: none), so that it is
    /// deleted when the lease expires or is revoked.
    @discardableResult
    public func put(_ key: String, _ value: [UInt8], condition: PutCondition, lease: Int64) async throws -> Int64 {
        try await put(key, value, condition: condition, leaseID: lease)
    }
}
