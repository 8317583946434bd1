import EtcdStore
import Store
import Synchronization
import TestSupport
import Testing

@Suite(
    "EtcdBackend failover on real etcd members",
    .enabled(if: EtcdCluster.isAvailable, "needs /usr/bin/etcd (make deps)"))
struct EtcdFailoverClusterTests {
    @Test("a member that is down is skipped for the next one in the list")
    func deadFirstMember() async throws {
        let cluster = try await EtcdCluster.start(members: 1)
        defer { cluster.stop() }
        let deadPort = try EtcdCluster.freeLoopbackPorts(1)[0]
        let etcd = try EtcdBackend(storeURL: "etcd:http://127.0.0.1:\(deadPort),\(cluster.clientURLs[0])")
        let revision = try await etcd.put("/k", bytes("v"))
        #expect(try await etcd.get("/k")?.modRevision == revision)
        try await etcd.close()
    }

    @Test("when no member answers, the call fails once the budget is spent, naming the last error")
    func nobodyHome() async throws {
        let ports = try EtcdCluster.freeLoopbackPorts(2)
        var configuration = try EtcdConfiguration(
            storeURL: "etcd:http://127.0.0.1:\(ports[0]),http://127.0.0.1:\(ports[1])")
        configuration.failoverBudget = .seconds(1)
        let etcd = try EtcdBackend(configuration: configuration)
        await #expect { try await etcd.get("/k") } throws: { error in
            // Nothing listens: the last attempt is refused, or, on a loaded machine, its connect
            // deadline passes first. Either way the error names it.
            isStoreError(error, .backendFailure, "all 2 etcd members")
                && ("\(error)".contains("refused") || "\(error)".contains("while connecting"))
        }
        try await etcd.close()
    }

    @Test("writes continue while the member in use is killed, and every acknowledged write is readable after")
    func killMemberUnderWrites() async throws {
        try await withEtcd(members: 3) { cluster, etcd in
            let acknowledged = Locked<[String: [UInt8]]>([:])
            let failures = Locked<[String]>([])
            let writers = 4
            let perWriter = 60
            try await withThrowingTaskGroup(of: Void.self) { group in
                for writer in 0..<writers {
                    group.addTask {
                        for index in 0..<perWriter {
                            let key = "/w/\(writer)/\(index)"
                            let value = bytes("value \(writer) \(index)")
                            do {
                                // Half the writes are conditional, so a lost answer during the kill
                                // exercises the read-back that tells our own write from another's.
                                if index.isMultiple(of: 2) {
                                    try await etcd.put(key, value, condition: .absent)
                                } else {
                                    try await etcd.put(key, value)
                                }
                                acknowledged.value.withLock { $0[key] = value }
                            } catch {
                                failures.value.withLock { $0.append("\(key): \(error)") }
                            }
                        }
                    }
                }
                group.addTask {
                    // Kill the first member, the one every call starts on, once writes are flowing.
                    while acknowledged.value.withLock({ $0.count }) < 40 { try await Task.sleep(for: .milliseconds(5)) }
                    cluster.kill(member: 0)
                }
                try await group.waitForAll()
            }
            #expect(!cluster.isRunning(member: 0))
            #expect(failures.value.withLock { $0 } == [])
            let written = acknowledged.value.withLock { $0 }
            #expect(written.count == writers * perWriter)
            for (key, value) in written {
                #expect(try await etcd.get(key)?.value == value, "acknowledged write \(key) lost")
            }
            #expect(try await etcd.count(prefix: "/w/") == written.count)
            // A transaction after the kill also goes through the survivors.
            let result = try await etcd.commit(
                Transaction(conditions: [.exists("/w/0/0")], operations: [.deletePrefix("/w/")]))
            #expect(result.succeeded)
            #expect(try await etcd.count(prefix: "/w/") == 0)
        }
    }

    @Test("writes continue through the election when the leader, the member in use, is killed")
    func killLeaderUnderWrites() async throws {
        let cluster = try await EtcdCluster.start(members: 3)
        defer { cluster.stop() }
        let leader = try #require(await cluster.leader())
        // The leader first, so the backend is talking to it when it dies.
        let order = [leader] + (0..<3).filter { $0 != leader }
        var configuration = try EtcdConfiguration(
            storeURL: "etcd:" + order.map { cluster.clientURLs[$0] }.joined(separator: ","))
        configuration.callTimeout = .seconds(3)
        let etcd = try EtcdBackend(configuration: configuration)
        var revisions: [String: Int64] = [:]
        for index in 0..<150 {
            if index == 30 { cluster.kill(member: leader) }
            let key = "/l/\(index)"
            revisions[key] = try await etcd.put(key, bytes("\(index)"), condition: .absent)
        }
        #expect(!cluster.isRunning(member: leader))
        let newLeader = await cluster.leader()
        #expect(newLeader != nil && newLeader != leader)
        for (key, revision) in revisions {
            #expect(try await etcd.get(key)?.modRevision == revision, "acknowledged write \(key) lost")
        }
        try await etcd.close()
    }

    @Test("over mutual TLS with a client certificate from the cluster's CA")
    func mutualTLS() async throws {
        let certs = try CertificateAuthority.make()
        defer { certs.remove() }
        let cluster = try await EtcdCluster.start(
            members: 1,
            tls: EtcdCluster.TLSFiles(caFile: certs.caFile, certificateFile: certs.serverCert, keyFile: certs.serverKey)
        )
        defer { cluster.stop() }
        #expect(cluster.storeURL.hasPrefix("etcd:https://127.0.0.1:"))
        let tls = EtcdTLSFiles(caFile: certs.caFile, certificateFile: certs.clientCert, keyFile: certs.clientKey)
        let etcd = try EtcdBackend(storeURL: cluster.storeURL, tls: tls)
        let revision = try await etcd.put("/tls", bytes("secret"), condition: .absent)
        #expect(
            try await etcd.get("/tls")
                == KeyValue(key: "/tls", value: bytes("secret"), createRevision: revision, modRevision: revision))
        try await etcd.close()

        // A client certificate from another CA is refused, with an error rather than a hang.
        var other = try EtcdConfiguration(
            storeURL: cluster.storeURL,
            tls: EtcdTLSFiles(
                caFile: certs.caFile, certificateFile: certs.otherCAClientCert, keyFile: certs.otherCAClientKey))
        other.failoverBudget = .seconds(1)
        let refused = try EtcdBackend(configuration: other)
        await #expect(throws: StoreError.self) { try await refused.get("/tls") }
        try await refused.close()
    }
}

/// A Sendable box around a `Mutex`, for state shared by the writer tasks.
final class Locked<Value: Sendable>: Sendable {
    let value: Mutex<Value>

    init(_ initial: Value) { value = Mutex(initial) }
}
