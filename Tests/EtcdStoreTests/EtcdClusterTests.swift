import Foundation
import TestSupport
import Testing

@Suite("real etcd processes for tests", .enabled(if: EtcdCluster.isAvailable, "needs /usr/bin/etcd (make deps)"))
struct EtcdClusterTests {
    @Test("a 3-member cluster starts healthy, a killed member stops answering, stop leaves nothing behind")
    func lifecycle() async throws {
        let cluster = try await EtcdCluster.start(members: 3)
        #expect(cluster.members.count == 3)
        #expect(Set(cluster.clientURLs).count == 3)
        #expect(cluster.storeURL.hasPrefix("etcd:http://127.0.0.1:"))
        for (index, url) in cluster.clientURLs.enumerated() {
            #expect(cluster.isRunning(member: index))
            #expect(EtcdCluster.healthy(url))
        }
        cluster.kill(member: 1)
        #expect(!cluster.isRunning(member: 1))
        #expect(!EtcdCluster.listening(cluster.clientURLs[1]))
        // Two of three members keep a quorum (after an election when the leader was killed).
        var healthy = false
        for _ in 0..<50 where !healthy {
            healthy = EtcdCluster.healthy(cluster.clientURLs[0]) && EtcdCluster.healthy(cluster.clientURLs[2])
            if !healthy { try await Task.sleep(for: .milliseconds(100)) }
        }
        #expect(healthy)
        let directory = (cluster.members[0].dataDirectory as NSString).deletingLastPathComponent
        cluster.stop()
        for (index, url) in cluster.clientURLs.enumerated() {
            #expect(!cluster.isRunning(member: index))
            #expect(!EtcdCluster.listening(url))
        }
        #expect(!FileManager.default.fileExists(atPath: directory))
    }

    @Test("free loopback ports are distinct")
    func ports() throws {
        let ports = try EtcdCluster.freeLoopbackPorts(8)
        #expect(Set(ports).count == 8)
        #expect(!ports.contains(0))
    }
}
