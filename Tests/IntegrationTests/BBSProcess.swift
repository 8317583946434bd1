import Foundation
import TestSupport

/// Which build of the server a test runs.
enum BBSExecutable: String, Sendable {
    /// The shipped `bbs`.
    case bbs
    /// The tests' build of it (`Tests/bbs-fault-injection`): the same wiring, acting as an older release
    /// (`--data-version N`) or with a migration that fails (`--fail-migration-at KEY`). Those options come
    /// before the bbs subcommand.
    case faultInjection = "bbs-fault-injection"
}

/// The real `bbs` executable as a child process whose stderr the test watches, for kill and restart tests.
///
/// Unlike `ServerProcess` it does not wait for `listening on`: the kill loop needs to SIGKILL it at any
/// moment, including before it listens, and to see it exit non-zero on refused start-ups. It runs as a
/// `ChildProcess` (posix_spawn + polled `waitpid`) with stderr going to a log file, so no wait ever blocks
/// a thread of Swift's small cooperative pool and no lost SIGCHLD can hang a test. `deinit` SIGKILLs and
/// reaps a child that still runs (a SIGSTOPped one too), and a watchdog kills it if the test process dies
/// first, so no test leaves a `bbs` behind.
///
/// bbs logs JSON lines (`{"time":..,"level":..,"label":..,"message":"listening on 127.0.0.1:PORT",...}`);
/// a refused start-up ends with one plain `bbs: ...` line. `waitFor` matches raw text, so it finds both.
final class BBSProcess: Sendable {
    private let child: ChildProcess
    private let logPath: String

    init(_ arguments: [String], executable: BBSExecutable = .bbs) throws {
        let url = try ServerProcess.executableURL(named: executable.rawValue)
        logPath = FileManager.default.temporaryDirectory.appendingPathComponent("bbs-it-\(UUID().uuidString).log").path
        child = try ChildProcess.spawn("/bin/sh", ["-c", Self.watchdog, url.path] + arguments, output: logPath)
    }

    /// Runs bbs through `sh`, which starts a watchdog subshell and then `exec`s bbs (so the child we hold,
    /// and signal, is bbs itself). The watchdog SIGKILLs bbs when the test process goes away without
    /// running `deinit` (a test run killed on a timeout), so no bbs outlives its test run; it exits by itself
    /// once bbs is gone. The same as `EtcdCluster`'s for etcd.
    private static let watchdog = """
        parent=$PPID
        self=$$
        ( while kill -0 $parent 2>/dev/null && kill -0 $self 2>/dev/null; do sleep 1; done
          kill -0 $parent 2>/dev/null || kill -9 $self 2>/dev/null ) </dev/null >/dev/null 2>&1 &
        exec "$0" "$@"
        """

    deinit {
        child.signal(SIGKILL)
        child.waitUntilExit()  // quick after SIGKILL, also for a stopped process
        try? FileManager.default.removeItem(atPath: logPath)
    }

    /// Everything written to stderr (and stdout) so far.
    var standardError: String {
        FileManager.default.contents(atPath: logPath).map { String(decoding: $0, as: UTF8.self) } ?? ""
    }

    /// The `message` of every JSON log line so far, in order (plain lines are skipped).
    var logMessages: [String] {
        standardError.split(separator: "\n").compactMap { line in
            guard line.hasPrefix("{"),
                let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
            else { return nil }
            return object["message"] as? String
        }
    }

    var isRunning: Bool { child.isRunning }

    /// Waits until stderr contains `needle` (true) or the process exits or time runs out (false).
    func waitFor(_ needle: String, timeout: Duration = .seconds(120)) async throws -> Bool {
        try await waitForAny([needle], timeout: timeout) != nil
    }

    /// Waits until stderr contains one of `needles`; returns the first of them (in the order given) that it
    /// contains, or nil when the process exits or time runs out without any.
    func waitForAny(_ needles: [String], timeout: Duration = .seconds(120)) async throws -> String? {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            let running = child.isRunning
            let text = standardError  // read after the exit check: the file then holds everything it wrote
            if let found = needles.first(where: { text.contains($0) }) { return found }
            if !running { return nil }
            try await Task.sleep(for: .milliseconds(5))
        }
        return nil
    }

    /// The port from the first `listening on HOST:PORT` log line.
    var port: Int? { Self.listeningPort(in: standardError) }

    /// The port of the first `listening on HOST:PORT` in `text`. In a JSON line the address ends at the
    /// closing quote of the message; in plain text at white space. `HOST` may be `[::1]`.
    static func listeningPort(in text: String) -> Int? {
        guard let range = text.range(of: "listening on ") else { return nil }
        let address = text[range.upperBound...].prefix { $0 != "\"" && !$0.isWhitespace }
        guard let colon = address.lastIndex(of: ":") else { return nil }
        return Int(address[address.index(after: colon)...])
    }

    func signal(_ number: Int32) {
        child.signal(number)
    }

    /// Waits for exit; returns the exit code (128 + the signal when killed). SIGKILLs it after `timeout`.
    func waitForExit(timeout: Duration = .seconds(60)) async throws -> Int32 {
        let deadline = ContinuousClock.now + timeout
        while child.isRunning {
            guard ContinuousClock.now < deadline else {
                child.signal(SIGKILL)
                throw IntegrationError("bbs did not exit in time: \(standardError)")
            }
            try await Task.sleep(for: .milliseconds(10))
        }
        return child.exitCode ?? -1
    }

    /// Runs bbs to completion (for commands that exit: refused start-ups, `bbs migrate`).
    static func run(
        _ arguments: [String], executable: BBSExecutable = .bbs, timeout: Duration = .seconds(120)
    ) async throws -> (status: Int32, stderr: String) {
        let bbs = try BBSProcess(arguments, executable: executable)
        let status = try await bbs.waitForExit(timeout: timeout)
        return (status, bbs.standardError)
    }
}

struct IntegrationError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
