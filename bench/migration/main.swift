// The migration benchmark (run by hand, never in tests): fills a store with realistic data version 1
// records (legacy JSON desired LRPs of about 2 KB, two actual LRPs and a task beside each) and times the
// shipped migrations 1 → 3, as `bbs` runs them at start-up. Reports records/s, wall time, peak RSS.
//
//   swift build -c release --product bench-migration
//   .build/release/bench-migration --records 100000 --store sqlite:/tmp/bench.db
//   .build/release/bench-migration --records 100000 --store etcd:http://127.0.0.1:2379
import EtcdStore
import Foundation
import Encryption
import Store
import TestSupport

struct BenchArguments {
    var records = 100_000
    var store = "sqlite:" + FileManager.default.temporaryDirectory.appendingPathComponent("bbs-bench-\(getpid()).db").path
    var encrypt = false

    init(_ arguments: [String]) throws {
        var iterator = arguments.dropFirst().makeIterator()
        while let argument = iterator.next() {
            switch argument {
            case "--records":
                guard let value = iterator.next().flatMap(Int.init), value > 0 else { throw BenchError("--records N") }
                records = value
            case "--store":
                guard let value = iterator.next() else { throw BenchError("--store sqlite:PATH|etcd:URL") }
                store = value
            case "--encrypt":
                encrypt = true
            default:
                throw BenchError("usage: bench-migration [--records N] [--store sqlite:PATH|etcd:URL] [--encrypt]")
            }
        }
    }
}

struct BenchError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// Peak resident set size (VmHWM) in MiB, from /proc/self/status.
func peakRSSMiB() -> Double {
    guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return -1 }
    for line in status.split(separator: "\n") where line.hasPrefix("VmHWM:") {
        let kib = line.split(separator: " ").compactMap { Double($0) }.first ?? -1
        return kib / 1024
    }
    return -1
}

/// Resets the peak RSS counter (Linux: writing 5 to clear_refs), so the migration is measured alone.
func resetPeakRSS() {
    try? "5".write(toFile: "/proc/self/clear_refs", atomically: false, encoding: .utf8)
}

func log(_ message: String) {
    FileHandle.standardError.write(Data((message + "\n").utf8))
}

func run() async throws {
    let arguments = try BenchArguments(CommandLine.arguments)
    let backend: any Backend
    var migrator = Migrator.shipped()
    if arguments.store.hasPrefix("sqlite:") {
        let path = String(arguments.store.dropFirst("sqlite:".count))
        for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) }
        backend = try SQLiteBackend(path: path)
    } else {
        let configuration = try EtcdConfiguration(storeURL: arguments.store)
        backend = try EtcdBackend(configuration: configuration)
        migrator.batchSize = configuration.maxTransactionOperations
        try await backend.deletePrefix("/v")
        try await backend.delete("/version")
    }
    var codec = RecordCodec()
    if arguments.encrypt {
        codec = RecordCodec(keys: try EncryptionKeySet(activeLabel: "bench", passphrases: ["bench": "a bench passphrase"]))
    }

    var writer = LegacyRecords(backend: backend)
    writer.batchSize = migrator.batchSize
    let fillStart = ContinuousClock.now
    let counts = try await writer.fillSample(records: arguments.records)
    let legacyBytes = try await sizeOfRoot(backend, version: 1)
    log("filled \(counts.total) legacy records (\(counts.desiredLRPs) desired LRPs, \(counts.actualLRPs) actual LRPs, "
        + "\(counts.tasks) tasks, \(counts.domains) domains; \(legacyBytes / counts.total) bytes/record average) "
        + "in \(ContinuousClock.now - fillStart)")

    resetPeakRSS()
    let start = ContinuousClock.now
    let summary = try await migrator.migrate(backend, from: 1, to: 3, context: MigrationContext(codec: codec))
    let wall = ContinuousClock.now - start
    let seconds = Double(wall.components.seconds) + Double(wall.components.attoseconds) / 1e18
    let migrated = try await backend.count(prefix: "/v3/")
    let version = try await backend.readDataVersion()?.0
    print(
        """
        store: \(arguments.store)\(arguments.encrypt ? " (encrypted \"02\")" : "")
        records migrated: \(counts.total) legacy → \(migrated) at data version 3 (\(summary.recordsWritten) written)
        version record: \(version.map { "\($0)" } ?? "absent"); /v1/ left: \(try await backend.count(prefix: "/v1/"))
        wall time: \(String(format: "%.2f", seconds)) s
        records/s: \(String(format: "%.0f", Double(counts.total) / seconds))
        peak RSS during migration: \(String(format: "%.0f", peakRSSMiB())) MiB
        """)
    try await backend.close()
}

/// Sum of value sizes under a root (to report the average record size).
func sizeOfRoot(_ backend: any Backend, version: Int) async throws -> Int {
    var total = 0
    var startAfter: String?
    while true {
        let page = try await backend.range(prefix: KeyLayout.root(version: version), startAfter: startAfter, limit: 1000)
        total += page.items.reduce(0) { $0 + $1.value.count }
        guard page.more, let last = page.items.last else { return total }
        startAfter = last.key
    }
}

do {
    try await run()
} catch {
    log("bench-migration: \(error)")
    exit(1)
}
