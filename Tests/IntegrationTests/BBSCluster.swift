import Foundation
import Models
import RPC
import TestSupport

/// Several real `bbs` processes on one store, as a Diego deployment runs them: each on its own loopback
/// port with its own `--uuid` and `--advertise-url`, mutual TLS with the test certificates, a short lock TTL
/// and a quick retry, so failover scenarios take seconds.
///
/// `start` makes instance 0 the master (it starts alone and serves before the others start) and returns once
/// every other instance redirects to it. The processes die with the cluster (`BBSProcess` SIGKILLs in its
/// `deinit`).
final class BBSCluster: Sendable {
    /// One bbs of the cluster.
    struct Instance: Sendable {
        /// Its `--uuid`.
        let name: String
        let port: Int
        let process: BBSProcess
        /// Its `--advertise-url`: what the lock record, redirects and GetDataVersion.master_url name.
        var url: String { "https://127.0.0.1:\(port)" }
    }

    let store: StoreFixture
    let lockTTL: Duration
    let instances: [Instance]

    private init(store: StoreFixture, lockTTL: Duration, instances: [Instance]) {
        self.store = store
        self.lockTTL = lockTTL
        self.instances = instances
    }

    /// Starts `count` bbs on `store`: instance 0 first, until it serves; then the others, until each of
    /// them redirects to instance 0.
    /// - Parameter storeArgument: `--store` when it is not `store.storeArgument` (e.g. etcd members in
    ///   another order).
    static func start(
        _ count: Int, on store: StoreFixture, storeArgument: String? = nil, lockTTL: Duration = .seconds(2)
    ) async throws -> BBSCluster {
        let storeArgument = storeArgument ?? store.storeArgument
        var instances: [Instance] = []
        let first = try await startInstance(0, store: storeArgument, lockTTL: lockTTL)
        instances.append(first)
        guard try await first.process.waitFor("serving data version 3", timeout: .seconds(60)) else {
            throw IntegrationError("the first bbs did not serve: \(first.process.standardError)")
        }
        for index in 1..<max(count, 1) {
            instances.append(try await startInstance(index, store: storeArgument, lockTTL: lockTTL))
        }
        let cluster = BBSCluster(store: store, lockTTL: lockTTL, instances: instances)
        for standby in instances.dropFirst() {
            guard try await cluster.waitUntilRedirects(standby, to: first, timeout: .seconds(30)) else {
                throw IntegrationError(
                    "\(standby.name) does not redirect to the master: \(standby.process.standardError)")
            }
        }
        return cluster
    }

    /// `bbs serve` for instance `index` on `port`.
    static func serveArguments(index: Int, port: Int, store: String, lockTTL: Duration) throws -> [String] {
        let ttl = lockTTL.components.seconds * 1000 + lockTTL.components.attoseconds / 1_000_000_000_000_000
        return [
            "serve", "--store", store, "--listen-address", "127.0.0.1:\(port)",
            "--advertise-url", "https://127.0.0.1:\(port)", "--uuid", "bbs-\(index)-\(UUID().uuidString.prefix(8))",
            "--lock-ttl", "\(ttl)ms", "--lock-retry-interval", "200ms", "--drain-timeout", "2s",
            "--debug-address", "off",
        ] + (try IntegrationCertificates.serverArguments())
    }

    /// Starts one bbs on a free port and waits until it listens (another port when that one was taken
    /// meanwhile).
    private static func startInstance(_ index: Int, store: String, lockTTL: Duration) async throws -> Instance {
        var attempt = 0
        while true {
            attempt += 1
            let port = Int(try EtcdCluster.freeLoopbackPorts(1)[0])
            let arguments = try serveArguments(index: index, port: port, store: store, lockTTL: lockTTL)
            let process = try BBSProcess(arguments)
            if try await process.waitFor("listening on 127.0.0.1:\(port)\"", timeout: .seconds(30)) {
                return Instance(name: arguments[arguments.firstIndex(of: "--uuid")! + 1], port: port, process: process)
            }
            let log = process.standardError
            guard log.contains("already in use"), attempt < 4 else {
                throw IntegrationError("bbs \(index) did not listen on \(port): \(log)")
            }
        }
    }

    /// A client of `instance` (see `RPCClient.bbs(port:followRedirects:)`).
    func client(_ instance: Instance, followRedirects: Bool = false) throws -> RPCClient {
        try RPCClient.bbs(port: instance.port, followRedirects: followRedirects)
    }

    /// Waits until `instance` answers a BBS call with the redirect to `master`'s URL.
    func waitUntilRedirects(_ instance: Instance, to master: Instance, timeout: Duration) async throws -> Bool {
        let client = try client(instance)
        defer { Task { await client.close() } }
        return await poll(timeout: timeout) { () async -> Bool? in
            do {
                _ = try await client.unary(
                    BBSAPI.getDataVersion, Diego_Bbs_GetDataVersionRequest(),
                    options: BBSAPI.pinned(timeout: .seconds(2)))
                return nil
            } catch let error as RPCError {
                return error.metadata[RPCError.masterURLMetadataKey] == master.url ? true : nil
            } catch {
                return nil
            }
        } ?? false
    }

    /// Waits until `instance` reports health SERVING; returns when it first did (nil on timeout).
    func waitUntilServing(_ instance: Instance, timeout: Duration) async throws -> ContinuousClock.Instant? {
        let client = try client(instance)
        defer { Task { await client.close() } }
        return await poll(timeout: timeout, interval: .milliseconds(10)) { () async -> ContinuousClock.Instant? in
            (try? await client.health()) == .serving ? ContinuousClock.now : nil
        }
    }

    /// How each instance answers health now (nil: no answer).
    func healthAnswers() async throws -> [Grpc_Health_V1_HealthCheckResponse.ServingStatus?] {
        var answers: [Grpc_Health_V1_HealthCheckResponse.ServingStatus?] = []
        for instance in instances {
            let client = try client(instance)
            answers.append(try? await client.health())
            await client.close()
        }
        return answers
    }
}
