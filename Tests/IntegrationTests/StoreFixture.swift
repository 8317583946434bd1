import EtcdStore
import Foundation
import Store
import Testing
import TestSupport

/// The stores the end-to-end scenarios run on; every scenario takes one as its test argument.
enum StoreKind: String, CaseIterable, Sendable, CustomTestStringConvertible {
    case sqlite
    case etcd

    var testDescription: String { rawValue }
}

/// A fresh, empty store of one kind for one test: the `--store` argument for the real `bbs`, and `Backend`
/// handles for seeding and verifying from the test itself.
///
/// Exists so each scenario is written once and runs on SQLite (a file in a temporary directory) and on etcd
/// (real members, one unless asked for more, with temporary data dirs). `remove()` tears it down: the
/// directory, and every etcd process.
final class StoreFixture: Sendable {
    let kind: StoreKind
    /// `sqlite:PATH` or `etcd:http://127.0.0.1:PORT`, as `bbs --store` takes it.
    let storeArgument: String
    private let directory: URL
    /// The etcd members of an etcd store (nil for SQLite), for scenarios that kill one.
    let cluster: EtcdCluster?

    private init(kind: StoreKind, storeArgument: String, directory: URL, cluster: EtcdCluster?) {
        self.kind = kind
        self.storeArgument = storeArgument
        self.directory = directory
        self.cluster = cluster
    }

    /// Creates the empty store (for etcd: starts `etcdMembers` members and waits until each is healthy).
    static func make(_ kind: StoreKind, etcdMembers: Int = 1) async throws -> StoreFixture {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("bbs-it-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        switch kind {
        case .sqlite:
            let path = directory.appendingPathComponent("bbs.db").path
            return StoreFixture(kind: kind, storeArgument: "sqlite:" + path, directory: directory, cluster: nil)
        case .etcd:
            // The kill loop rewrites the new root on every run: compact the history so a soak stays far from
            // etcd's space quota.
            let cluster = try await EtcdCluster.start(
                members: etcdMembers,
                extraArguments: ["--auto-compaction-mode=periodic", "--auto-compaction-retention=30s"])
            return StoreFixture(kind: kind, storeArgument: cluster.storeURL, directory: directory, cluster: cluster)
        }
    }

    /// Puts per seeding transaction: etcd's default `--max-txn-ops` is 128.
    var batchSize: Int { kind == .etcd ? 128 : 500 }

    /// A new handle on the store; the caller closes it.
    func openBackend() throws -> any Backend {
        switch kind {
        case .sqlite: return try SQLiteBackend(path: String(storeArgument.dropFirst("sqlite:".count)))
        case .etcd: return try EtcdBackend(storeURL: storeArgument)
        }
    }

    /// Runs `body` with a fresh handle and closes it afterwards, also when `body` throws.
    func withBackend<T>(_ body: (any Backend) async throws -> T) async throws -> T {
        let backend = try openBackend()
        do {
            let result = try await body(backend)
            try await backend.close()
            return result
        } catch {
            try? await backend.close()
            throw error
        }
    }

    /// Fills the store with `count` sample records as data version 1 wrote them; returns their snapshot.
    func fillLegacy(_ count: Int) async throws -> StoreSnapshot {
        let snapshot = try await withBackend { (backend: any Backend) async throws -> StoreSnapshot in
            var writer = LegacyRecords(backend: backend)
            writer.batchSize = batchSize
            try await writer.fillSample(records: count)
            return try await StoreSnapshot.read(backend, version: 1)
        }
        if kind == .sqlite { try copyFiles(from: sqlitePath, to: pristinePath) }
        return snapshot
    }

    /// Returns the store to what `fillLegacy(count)` wrote (no `bbs` may run on it): SQLite copies back the
    /// files kept after the fill; etcd deletes every key and writes the same sample records again.
    func restoreLegacy(_ count: Int) async throws {
        switch kind {
        case .sqlite:
            try copyFiles(from: pristinePath, to: sqlitePath)
        case .etcd:
            try await withBackend { (backend: any Backend) async throws -> Void in
                try await backend.deletePrefix("/")
                #expect(try await backend.count(prefix: "/") == 0)
            }
            _ = try await fillLegacy(count)
        }
    }

    private var sqlitePath: String { String(storeArgument.dropFirst("sqlite:".count)) }
    private var pristinePath: String { directory.appendingPathComponent("pristine.db").path }

    private func copyFiles(from source: String, to destination: String) throws {
        let files = FileManager.default
        for suffix in ["", "-wal", "-shm", "-journal"] {
            try? files.removeItem(atPath: destination + suffix)
            if files.fileExists(atPath: source + suffix) {
                try files.copyItem(atPath: source + suffix, toPath: destination + suffix)
            }
        }
    }

    /// Stops every process of the store and removes its files. Idempotent.
    func remove() {
        cluster?.stop()
        try? FileManager.default.removeItem(at: directory)
    }
}
