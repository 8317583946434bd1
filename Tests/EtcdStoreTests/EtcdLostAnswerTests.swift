import EtcdStore
import Store
import TestSupport
import Testing

/// The failover case that decides correctness: etcd applied a write but its answer was lost.
@Suite(
    "EtcdBackend when etcd's answer is lost", .enabled(if: EtcdCluster.isAvailable, "needs /usr/bin/etcd (make deps)"))
struct EtcdLostAnswerTests {
    @Test(
        "a conditional put and a transaction applied before the connection broke are reported as done, not as conflicts"
    )
    func appliedButAnswerLost() async throws {
        let cluster = try await EtcdCluster.start(members: 1)
        defer { cluster.stop() }
        let etcdPort = try #require(cluster.clientURLs[0].split(separator: ":").last.flatMap { UInt16($0) })
        let proxy = try AnswerDroppingProxy(target: etcdPort, markers: ["/lost/put", "/lost/txn", "/lost/cas"])
        defer { proxy.close() }
        // The proxy first, so every call starts there; the member itself second.
        let store = "etcd:http://127.0.0.1:\(proxy.port),\(cluster.clientURLs[0])"

        let first = try EtcdBackend(storeURL: store)
        let revision = try await first.put("/lost/put", bytes("mine"), condition: .absent)
        let stored = try #require(try await first.get("/lost/put"))
        #expect(stored.value == bytes("mine"))
        #expect(stored.modRevision == revision)
        try await first.close()

        let second = try EtcdBackend(storeURL: store)
        let result = try await second.commit(
            Transaction(
                conditions: [.absent("/lost/txn")], operations: [.put("/lost/txn", bytes("t")), .delete("/lost/put")]))
        #expect(result.succeeded)
        #expect(try await second.get("/lost/txn")?.value == bytes("t"))
        #expect(try await second.get("/lost/put") == nil)
        try await second.close()

        let third = try EtcdBackend(storeURL: store)
        try await third.put("/other", bytes("x"))
        let base = try #require(try await third.get("/lost/txn")).modRevision
        // The read above went through the proxy; the CAS below is the one whose answer is lost.
        let swapped = try await third.put("/lost/txn", bytes("/lost/cas"), condition: .revision(base))
        #expect(try await third.get("/lost/txn")?.modRevision == swapped)
        try await third.close()

        #expect(proxy.droppedMarkers == ["/lost/put", "/lost/txn", "/lost/cas"])
    }

    @Test("a conditional put that really conflicts after a lost answer is still a conflict")
    func realConflictAfterLostAnswer() async throws {
        let cluster = try await EtcdCluster.start(members: 1)
        defer { cluster.stop() }
        let etcdPort = try #require(cluster.clientURLs[0].split(separator: ":").last.flatMap { UInt16($0) })
        let direct = try EtcdBackend(storeURL: "etcd:" + cluster.clientURLs[0])
        try await direct.put("/taken", bytes("theirs"))
        let proxy = try AnswerDroppingProxy(target: etcdPort, markers: ["/taken"])
        defer { proxy.close() }
        let etcd = try EtcdBackend(storeURL: "etcd:http://127.0.0.1:\(proxy.port),\(cluster.clientURLs[0])")
        await #expect { try await etcd.put("/taken", bytes("mine"), condition: .absent) } throws: {
            isStoreError($0, .conditionFailed, "already exists")
        }
        #expect(proxy.droppedMarkers == ["/taken"])
        #expect(try await direct.get("/taken")?.value == bytes("theirs"))
        try await etcd.close()
        try await direct.close()
    }
}
