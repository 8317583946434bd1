import Foundation
import Models
import RPC
import Store
import Testing

/// The versioned store end to end with the real `bbs` executable, on SQLite and on etcd: SIGKILLs during the
/// migration, a failing migration, a rollback with `bbs migrate --to 1`, and a refused start-up.
///
/// Every scenario is written once and takes the store kind as its argument; `StoreFixture` gives it a fresh
/// store and tears it down. Serialized: the kill loop aims its kills with a timing measured on this machine.
/// The older release and the failing migration are the tests' build of bbs (`bbs-fault-injection`); every
/// start of one scenario uses the same `--uuid`, as a restarted bbs on the same machine does, so a start
/// after a SIGKILL takes over the dead run's master lock at once instead of waiting for its TTL.
@Suite("KillLoop", .serialized)
struct KillLoopTests {
    static let codec = RecordCodec()
    static var iterations: Int {
        ProcessInfo.processInfo.environment["BBS_KILL_LOOP_ITERATIONS"].flatMap(Int.init) ?? 20
    }

    /// This scenario's bbs instance id (Diego's `uuid`), the same for each of its starts.
    let instanceID = "kill-loop-" + UUID().uuidString.lowercased()

    /// How one start of bbs is launched: which binary and its whole command line.
    struct Launch {
        var executable: BBSExecutable
        var arguments: [String]
    }

    /// `bbs serve` on the scenario's store with mutual TLS; with `faults` (`--data-version N`,
    /// `--fail-migration-at KEY`) the fault-injection build, its options before the subcommand.
    func serve(_ store: StoreFixture, faults: [String] = []) throws -> Launch {
        let arguments =
            [
                "serve", "--store", store.storeArgument, "--listen-address", "127.0.0.1:0", "--uuid", instanceID,
                "--lock-ttl", "2s", "--lock-retry-interval", "200ms", "--debug-address", "off",
            ] + (try IntegrationCertificates.serverArguments())
        return Launch(executable: faults.isEmpty ? .bbs : .faultInjection, arguments: faults + arguments)
    }

    func start(_ launch: Launch) throws -> BBSProcess {
        try BBSProcess(launch.arguments, executable: launch.executable)
    }

    /// A client of the bbs on `port` that reports its own answers (no redirect, no retry).
    func client(port: Int) throws -> RPCClient {
        try RPCClient.bbs(port: port, followRedirects: false)
    }

    /// Starts bbs, waits until it serves, checks that it says so (health SERVING, Ping available), stops it
    /// with SIGTERM.
    func serveOnce(_ store: StoreFixture, faults: [String] = [], expecting version: Int = BBSDataVersion) async throws {
        let bbs = try start(try serve(store, faults: faults))
        let serving = try await bbs.waitFor("serving data version \(version)")
        #expect(serving, "\(bbs.standardError)")
        if serving, let port = bbs.port {
            let client = try client(port: port)
            #expect(try await client.health() == .serving, "\(bbs.standardError)")
            #expect(try await client.unary(BBSAPI.ping, Diego_Bbs_PingRequest(), options: BBSAPI.pinned()).available)
            await client.close()
        }
        bbs.signal(SIGTERM)
        #expect(try await bbs.waitForExit() == 0, "\(bbs.standardError)")
    }

    /// While migrating, the server is there but does not serve: health NOT_SERVING, a BBS call answers
    /// UNAVAILABLE with the migration as its reason, and GetDataVersion (readable throughout) says so.
    func expectRefusesWhileMigrating(port: Int) async throws {
        let client = try client(port: port)
        defer { Task { await client.close() } }
        #expect(try await client.health() == .notServing)
        do {
            _ = try await client.unary(BBSAPI.ping, Diego_Bbs_PingRequest(), options: BBSAPI.pinned())
            Issue.record("Ping was served during the migration")
        } catch let refusal as RPCError {
            #expect(refusal.code == .unavailable, "while migrating: \(refusal)")
            #expect(refusal.message.contains("migrating data version 1 to 3"), "\(refusal)")
        }
        let version = try await client.unary(
            BBSAPI.getDataVersion, Diego_Bbs_GetDataVersionRequest(), options: BBSAPI.pinned())
        #expect(version.migrating && version.currentVersion == 1 && version.targetVersion == 3, "\(version)")
    }

    /// Runs one whole migration 1 → 3 with a real bbs; returns how long it took from its start line to serving.
    func timedMigration(_ store: StoreFixture) async throws -> Duration {
        let bbs = try start(try serve(store))
        #expect(try await bbs.waitFor("migrating data version 1 to 3 started"), "\(bbs.standardError)")
        let start = ContinuousClock.now
        #expect(try await bbs.waitFor("serving data version 3"), "\(bbs.standardError)")
        let window = ContinuousClock.now - start
        bbs.signal(SIGTERM)
        #expect(try await bbs.waitForExit() == 0, "\(bbs.standardError)")
        return window
    }

    /// Puts the legacy records back as they were first written.
    func refill(_ store: StoreFixture, _ original: StoreSnapshot) async throws {
        try await store.restoreLegacy(original.records.count)
        let again = try await store.withBackend { (backend: any Backend) async throws -> StoreSnapshot in
            #expect(try await backend.readDataVersion()?.0 == DataVersion(current: 1, target: 1))
            #expect(try await backend.count(prefix: "/v3/") == 0)
            return try await StoreSnapshot.read(backend, version: 1)
        }
        #expect(again == original, "the legacy store is back as first written")
    }

    /// How far into the measured migration window kills may land (uniformly at random). On etcd a whole
    /// migration of 20,000 records takes several seconds in a debug build and every restart first deletes the
    /// partial new root: kills land in its first 70 %, which keeps 20 kills well inside the suite's time budget
    /// while every kill still interrupts a running migration. The migration's end (`{3, 3}`, deleting the old
    /// root) is still reached: by the calibration run and whenever a run outpaces the calibration.
    static func killReach(_ kind: StoreKind) -> Double {
        switch kind {
        case .sqlite: return 0.9
        case .etcd: return 0.7
        }
    }

    @Test(
        "SIGKILL at random moments during the migration: every record migrated exactly once, {3, 3}, old root gone",
        arguments: StoreKind.allCases)
    func killLoop(_ kind: StoreKind) async throws {
        let began = ContinuousClock.now
        let store = try await StoreFixture.make(kind)
        defer { store.remove() }
        let original = try await store.fillLegacy(20_000)
        #expect(original.records.count == 20_000)
        let expected = try original.migrated(from: 1, to: 3, codec: Self.codec)
        let filled = ContinuousClock.now

        // Calibrate: one whole migration, so kills land inside it; it must converge too. Then start again from
        // the legacy records.
        var window = try await timedMigration(store)
        let calibrated = window
        try await verifyMigrated(store, expected)
        try await refill(store, original)

        var killedMidMigration = 0
        var attempts = 0
        while killedMidMigration < Self.iterations && attempts < Self.iterations * 3 {
            attempts += 1
            let bbs = try start(try serve(store))
            let first = try await bbs.waitForAny(["migrating data version 1 to 3 started", "serving data version 3"])
            if first == "serving data version 3" {
                // The last kill landed after the migration's final `{3, 3}` but before its log line: this start
                // found a finished store (and removed a left-over old root). It must be whole; then aim earlier
                // and start again from the legacy records.
                bbs.signal(SIGTERM)
                #expect(try await bbs.waitForExit() == 0, "\(bbs.standardError)")
                try await verifyMigrated(store, expected)
                try await refill(store, original)
                window = 0.7 * window
                continue
            }
            let started = first != nil
            #expect(started, "\(kind) attempt \(attempts): \(bbs.standardError)")
            if attempts == 1, let port = bbs.port {
                try await expectRefusesWhileMigrating(port: port)
            }
            try await Task.sleep(for: Double.random(in: 0..<Self.killReach(kind)) * window)
            bbs.signal(SIGKILL)
            _ = try await bbs.waitForExit()
            guard started else { break }
            if bbs.standardError.contains("data version 1 to 3 finished") {
                // The machine ran faster than calibrated: this end state must converge too; then aim earlier
                // and start again from the legacy records so every counted kill interrupts a migration.
                try await serveOnce(store)
                try await verifyMigrated(store, expected)
                try await refill(store, original)
                window = 0.7 * window
            } else {
                killedMidMigration += 1
            }
        }
        #expect(
            killedMidMigration == Self.iterations, "\(killedMidMigration) kills mid-migration in \(attempts) attempts")

        try await serveOnce(store)
        try await verifyMigrated(store, expected)
        let line =
            "kill loop on \(kind): fill \(filled - began), migration \(calibrated), \(killedMidMigration) kills in "
            + "\(attempts) attempts, total \(ContinuousClock.now - began)\n"
        FileHandle.standardError.write(Data(line.utf8))
    }

    func verifyMigrated(_ store: StoreFixture, _ expected: StoreSnapshot) async throws {
        try await store.withBackend { (backend: any Backend) async throws -> Void in
            #expect(try await backend.readDataVersion()?.0 == DataVersion(current: 3, target: 3))
            #expect(try await backend.count(prefix: "/v1/") == 0)
            #expect(try await backend.count(prefix: "/v2/") == 0)
            let migrated = try await StoreSnapshot.read(backend, version: 3)
            #expect(migrated.records.count == expected.records.count)
            #expect(try migrated.differences(from: expected, codec: Self.codec).prefix(10) == [])
            #expect(try migrated.allInNewestFormat(codec: Self.codec))
        }
    }

    @Test(
        "a migration that fails half-way exits non-zero and the previous data version serves the old records",
        arguments: StoreKind.allCases)
    func failedMigration(_ kind: StoreKind) async throws {
        let store = try await StoreFixture.make(kind)
        defer { store.remove() }
        let original = try await store.fillLegacy(2_000)
        let failing = try #require(
            original.records.keys.filter { $0.hasPrefix(RecordKeys.taskPrefix) }.sorted().dropFirst(200).first)
        let failingStart = try serve(store, faults: ["--fail-migration-at", failing])
        // 2,000 records fail to migrate in a few seconds; a bbs that does not exit by itself soon after is a bug.
        let (status, stderr) = try await BBSProcess.run(
            failingStart.arguments, executable: failingStart.executable, timeout: .seconds(30))
        #expect(status == 3, "\(stderr)")
        #expect(stderr.contains("back at data version 1"))
        try await store.withBackend { (backend: any Backend) async throws -> Void in
            #expect(try await backend.readDataVersion()?.0 == DataVersion(current: 1, target: 1))
            #expect(try await backend.count(prefix: "/v3/") == 0)
            #expect(try await StoreSnapshot.read(backend, version: 1) == original)
        }
        try await serveOnce(store, faults: ["--data-version", "1"], expecting: 1)
        try await store.withBackend { (backend: any Backend) async throws -> Void in
            #expect(try await StoreSnapshot.read(backend, version: 1) == original)
        }
    }

    @Test(
        "bbs migrate --to 1 after an upgrade gives back the original records, and data version 1 serves them",
        arguments: StoreKind.allCases)
    func rollback(_ kind: StoreKind) async throws {
        let store = try await StoreFixture.make(kind)
        defer { store.remove() }
        let original = try await store.fillLegacy(2_000)
        try await serveOnce(store)
        let (status, stderr) = try await BBSProcess.run(["migrate", "--store", store.storeArgument, "--to", "1"])
        #expect(status == 0, "\(stderr)")
        try await store.withBackend { (backend: any Backend) async throws -> Void in
            #expect(try await backend.readDataVersion()?.0 == DataVersion(current: 1, target: 1))
            #expect(try await backend.count(prefix: "/v3/") == 0)
            let rolledBack = try await StoreSnapshot.read(backend, version: 1)
            #expect(try rolledBack.differences(from: original, codec: Self.codec) == [])
        }
        try await serveOnce(store, faults: ["--data-version", "1"], expecting: 1)
    }

    @Test(
        "an older release refuses a newer store, writes nothing and tells the operator what to run",
        arguments: StoreKind.allCases)
    func refusedStartup(_ kind: StoreKind) async throws {
        let store = try await StoreFixture.make(kind)
        defer { store.remove() }
        _ = try await store.fillLegacy(100)
        try await serveOnce(store)
        let olderRelease = try serve(store, faults: ["--data-version", "2"])
        let (status, stderr) = try await BBSProcess.run(
            olderRelease.arguments, executable: olderRelease.executable, timeout: .seconds(30))
        #expect(status == 2)
        #expect(stderr.contains("bbs migrate --to 2"), "\(stderr)")
        try await store.withBackend { (backend: any Backend) async throws -> Void in
            #expect(try await backend.readDataVersion()?.0 == DataVersion(current: 3, target: 3))
        }
        let (abandonStatus, _) = try await BBSProcess.run(["migrate", "--store", store.storeArgument, "--abandon"])
        #expect(abandonStatus == 0)
    }
}

extension Duration {
    static func * (lhs: Double, rhs: Duration) -> Duration {
        let (seconds, attoseconds) = rhs.components
        return .nanoseconds(Int64(lhs * (Double(seconds) * 1e9 + Double(attoseconds) / 1e9)))
    }
}
