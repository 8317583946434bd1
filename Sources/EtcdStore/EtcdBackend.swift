import RPC
import Store
import SwiftProtobuf
import Synchronization

/// The `Backend` on etcd v3: KV Range, Put, DeleteRange and Txn over the project's own gRPC
/// client, h2c or mutual TLS, moving to the next member when one fails.
///
/// Exists so bbs can keep its data in an etcd cluster (`--store etcd:URL[,URL...]`) as Diego
/// does. Revisions are etcd's: `KeyValue.modRevision` is the key's `mod_revision`, and every
/// write returns the store revision etcd assigned to it, so conditional writes are etcd compares.
/// Reads are linearizable (etcd's default). One client per member is opened lazily by the RPC
/// client; a call goes to the member that answered last and fails over per `EtcdFailover`.
///
/// Limits: a `Transaction` becomes one Txn, so it must stay within etcd's `--max-txn-ops`
/// (default 128) operations and conditions and `--max-request-bytes` (default 1.5 MiB);
/// `EtcdConfiguration` holds the same limits and larger transactions fail with a clear
/// `invalidArgument` before anything is sent. A transaction is never split: splitting would
/// break its atomicity. Raise both etcd's flags and the configuration together for bigger ones.
public final class EtcdBackend: Backend {
    /// The validated configuration this backend was opened with.
    public let configuration: EtcdConfiguration
    private let clients: [RPCClient]
    private let state = Mutex(State())

    private struct State {
        /// The member that answered last; calls start there.
        var preferred = 0
        var closed = false
    }

    /// Opens (lazily) one RPC client per member. Throws `invalidArgument` for a configuration
    /// that cannot work (see `EtcdConfiguration.validate`).
    public init(configuration: EtcdConfiguration) throws {
        try configuration.validate()
        self.configuration = configuration
        self.clients = configuration.endpoints.map { endpoint in
            RPCClient(configuration: Self.clientConfiguration(endpoint, configuration))
        }
    }

    /// Parses `etcd:URL[,URL...]` and opens the backend.
    public convenience init(storeURL: String, tls: EtcdTLSFiles? = nil) throws {
        try self.init(configuration: EtcdConfiguration(storeURL: storeURL, tls: tls))
    }

    static func clientConfiguration(_ endpoint: EtcdEndpoint, _ configuration: EtcdConfiguration)
        -> RPCClientConfiguration
    {
        let security: RPCClientConfiguration.Security
        switch (endpoint.scheme, configuration.tls) {
        case (.https, let files?):
            let tls = RPCTLSConfiguration(
                caFile: files.caFile, certificateChainFile: files.certificateFile, privateKeyFile: files.keyFile)
            security = .mutualTLS(tls, serverName: files.serverName ?? endpoint.host)
        default:
            security = .plaintext
        }
        var client = RPCClientConfiguration(host: endpoint.host, port: endpoint.port, security: security)
        client.connectTimeout = configuration.connectTimeout
        // etcd never redirects or answers 503; failover between members is ours, not the client's.
        client.maxRedirects = 0
        client.retryBudget = .zero
        return client
    }

    /// Closes every member's connection; later calls throw `StoreError.closed`.
    public func close() async throws {
        let wasClosed = state.withLock { state in
            defer { state.closed = true }
            return state.closed
        }
        guard !wasClosed else { return }
        for client in clients { await client.close() }
    }

    // MARK: - Calls with failover

    /// Sends one unary call, failing over between members. `makeRequest` receives whether an
    /// earlier attempt may have been applied (so writes can ask etcd to read back their keys).
    /// Returns the response and that same flag for the attempt that answered.
    func perform<Request: SwiftProtobuf.Message, Response: SwiftProtobuf.Message>(
        _ method: RPCMethod<Request, Response>,
        _ makeRequest: (_ outcomeUnknown: Bool) throws -> Request
    ) async throws -> (response: Response, outcomeUnknown: Bool) {
        try await withFailover { client, options, outcomeUnknown in
            let request = try makeRequest(outcomeUnknown)
            try checkSize(request)
            return try await client.unary(method, request, options: options)
        }
    }

    /// Runs `attempt` on the preferred member's client and, on a retryable failure, on the next
    /// ones per `EtcdFailover`. `attempt` receives whether an earlier attempt may have been
    /// applied; the result carries that flag for the attempt that answered.
    func withFailover<Result>(
        _ attempt: (RPCClient, CallOptions, _ outcomeUnknown: Bool) async throws -> Result
    ) async throws -> (response: Result, outcomeUnknown: Bool) {
        let preferred = try state.withLock { state in
            guard !state.closed else { throw StoreError.closed("the etcd backend is closed") }
            return state.preferred
        }
        var failover = EtcdFailover(
            endpointCount: clients.count, preferred: preferred, budget: configuration.failoverBudget,
            roundPause: configuration.roundPause, now: .now)
        var options = CallOptions(timeout: configuration.callTimeout)
        options.followRedirects = false
        options.retryUnavailable = false
        while true {
            let unknownBefore = failover.outcomeUnknown
            let endpoint = failover.endpoint
            do {
                let response = try await attempt(clients[endpoint], options, unknownBefore)
                state.withLock { $0.preferred = endpoint }
                return (response, unknownBefore)
            } catch let error as StoreError {
                throw error  // our own verdict (a bad request, a closed backend): never retried
            } catch {
                if state.withLock({ $0.closed }) { throw StoreError.closed("the etcd backend is closed") }
                // A cancelled caller is not a failed member: stop rather than try the next one.
                if Task.isCancelled { throw CancellationError() }
                switch failover.failed(EtcdFailure.classify(error), now: .now) {
                case .fail(let error):
                    throw error
                case .attempt(_, let pause):
                    if let pause { try await Task.sleep(for: pause) }
                }
            }
        }
    }

    private func checkSize(_ request: some SwiftProtobuf.Message) throws {
        let size: Int
        do {
            let bytes: [UInt8] = try request.serializedBytes()
            size = bytes.count
        } catch {
            throw StoreError.invalidArgument("etcd request could not be encoded: \(error)")
        }
        guard size <= configuration.maxRequestBytes else {
            throw StoreError.invalidArgument(
                "etcd request of \(size) bytes is over the \(configuration.maxRequestBytes)-byte limit "
                    + "(etcd's --max-request-bytes, 1.5 MiB by default); write less per call")
        }
    }
}
