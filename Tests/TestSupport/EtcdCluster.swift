import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Real etcd members on loopback, for tests of the etcd backend.
///
/// Exists because the etcd backend must be tested against the real thing: `start` launches
/// `/usr/bin/etcd` (Debian's etcd-server 3.4, installed by `make deps`; `BBS_ETCD_BINARY`
/// overrides the path) as one member or a cluster on free loopback ports with temporary data
/// dirs, waits until every member reports healthy, and `stop` (also run by `deinit`) kills every
/// member and removes the data dirs. Each etcd has a tiny `sh` watchdog that SIGKILLs it when
/// the test process goes away, so not even a crashed test run leaves etcd behind.
/// `kill(member:)` SIGKILLs one member, as a crash would.
public final class EtcdCluster: @unchecked Sendable {
    /// One running (or killed) member.
    public struct Member: Sendable {
        /// `m0`, `m1`, ... in start order.
        public var name: String
        /// `http(s)://127.0.0.1:PORT` for clients.
        public var clientURL: String
        /// `http://127.0.0.1:PORT` for the other members.
        public var peerURL: String
        /// Removed by `stop`.
        public var dataDirectory: String
        /// etcd's stdout and stderr (shown when a member fails to start).
        public var logFile: String
    }

    /// TLS for the client port: etcd requires client certificates signed by `caFile`.
    public struct TLSFiles: Sendable {
        /// CA that client certificates must chain to.
        public var caFile: String
        /// etcd's server certificate (SAN 127.0.0.1) and key.
        public var certificateFile: String
        public var keyFile: String

        /// Paths to PEM files.
        public init(caFile: String, certificateFile: String, keyFile: String) {
            self.caFile = caFile
            self.certificateFile = certificateFile
            self.keyFile = keyFile
        }
    }

    /// The etcd executable.
    public static var binary: String { ProcessInfo.processInfo.environment["BBS_ETCD_BINARY"] ?? "/usr/bin/etcd" }

    /// Whether an etcd binary is installed (tests are skipped with a message when it is not).
    public static var isAvailable: Bool { FileManager.default.isExecutableFile(atPath: binary) }

    /// Every member, killed or not, in start order.
    public let members: [Member]
    private let root: String
    private let lock = NSLock()
    private var processes: [ChildProcess?]

    /// The client URLs, in member order.
    public var clientURLs: [String] { members.map(\.clientURL) }

    /// `etcd:URL,URL,...` as `--store` takes it.
    public var storeURL: String { "etcd:" + clientURLs.joined(separator: ",") }

    private init(members: [Member], processes: [ChildProcess], root: String) {
        self.members = members
        self.processes = processes
        self.root = root
    }

    deinit { stop() }

    /// Starts `count` members that form one cluster and waits until each answers `/health`.
    /// - Parameters:
    ///   - extraArguments: appended to every member's command line (e.g. `--max-txn-ops=1024`).
    ///   - tls: serve the client port over mutual TLS with these files.
    public static func start(
        members count: Int = 1, extraArguments: [String] = [], tls: TLSFiles? = nil,
        timeout: Duration = .seconds(30)
    ) async throws -> EtcdCluster {
        guard isAvailable else { throw EtcdClusterError("no etcd at \(binary); run `make deps` (Debian etcd-server)") }
        // A port that was free when chosen can be taken before etcd binds it (other tests on the
        // machine); that start fails fast with "address already in use" and is tried again.
        var attempt = 1
        while true {
            do {
                return try await startOnce(count, extraArguments, tls, timeout)
            } catch let error as EtcdClusterError where error.portTaken && attempt < 4 {
                attempt += 1
            }
        }
    }

    private static func startOnce(
        _ count: Int, _ extraArguments: [String], _ tls: TLSFiles?, _ timeout: Duration
    ) async throws -> EtcdCluster {
        let root = FileManager.default.temporaryDirectory
            .appendingPathComponent("bbs-etcd-\(UUID().uuidString.prefix(8))").path
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        let ports = try freeLoopbackPorts(count * 2)
        let clientScheme = tls == nil ? "http" : "https"
        let members = (0..<count).map { index in
            Member(
                name: "m\(index)",
                clientURL: "\(clientScheme)://127.0.0.1:\(ports[2 * index])",
                peerURL: "http://127.0.0.1:\(ports[2 * index + 1])",
                dataDirectory: "\(root)/m\(index).etcd",
                logFile: "\(root)/m\(index).log")
        }
        let initialCluster = members.map { "\($0.name)=\($0.peerURL)" }.joined(separator: ",")
        let token = "bbs-test-\(UUID().uuidString.prefix(8))"
        var processes: [ChildProcess] = []
        do {
            for member in members {
                var arguments = [
                    "--name", member.name, "--data-dir", member.dataDirectory,
                    "--listen-client-urls", member.clientURL, "--advertise-client-urls", member.clientURL,
                    "--listen-peer-urls", member.peerURL, "--initial-advertise-peer-urls", member.peerURL,
                    "--initial-cluster", initialCluster, "--initial-cluster-state", "new",
                    "--initial-cluster-token", token, "--logger", "zap", "--log-level", "warn",
                ]
                if let tls {
                    arguments += [
                        "--cert-file", tls.certificateFile, "--key-file", tls.keyFile,
                        "--trusted-ca-file", tls.caFile, "--client-cert-auth",
                    ]
                }
                processes.append(try launch(arguments + extraArguments, log: member.logFile))
            }
        } catch {
            processes.forEach { stopProcess($0) }
            throw error
        }
        let cluster = EtcdCluster(members: members, processes: processes, root: root)
        let deadline = ContinuousClock.now.advanced(by: timeout)
        for (index, member) in members.enumerated() {
            while !(await offPool { tls == nil ? healthy(member.clientURL) : listening(member.clientURL) }) {
                guard ContinuousClock.now < deadline, cluster.isRunning(member: index) else {
                    let log = (try? String(contentsOfFile: member.logFile, encoding: .utf8)) ?? ""
                    cluster.stop()
                    var error = EtcdClusterError(
                        "etcd member \(member.name) did not become healthy; its log:\n\(log.suffix(4000))")
                    error.portTaken = log.contains("address already in use")
                    throw error
                }
                try await Task.sleep(for: .milliseconds(100))
            }
        }
        return cluster
    }

    /// SIGKILLs member `index` and waits for it to exit.
    public func kill(member index: Int) {
        let process = lock.withLock { () -> ChildProcess? in
            defer { processes[index] = nil }
            return processes[index]
        }
        if let process { Self.stopProcess(process, signal: SIGKILL) }
    }

    /// Whether member `index` still runs (false once killed or stopped).
    public func isRunning(member index: Int) -> Bool {
        lock.withLock { processes[index]?.isRunning ?? false }
    }

    /// Kills every member that still runs and removes the data directories. Idempotent.
    public func stop() {
        let running = lock.withLock { () -> [ChildProcess] in
            defer { processes = processes.map { _ in nil } }
            return processes.compactMap { $0 }
        }
        // SIGKILL: the data is thrown away, and a quick stop keeps test threads free.
        running.forEach { Self.stopProcess($0, signal: SIGKILL) }
        try? FileManager.default.removeItem(atPath: root)
    }

    // MARK: - Processes

    /// Runs etcd through `sh`, which first starts a watchdog subshell and then `exec`s etcd (so the
    /// process we hold is etcd itself). The watchdog SIGKILLs etcd if this test process goes away,
    /// so a crashed test run leaves no etcd behind; it exits by itself once etcd is gone.
    private static let watchdog = """
        parent=$PPID
        self=$$
        ( while kill -0 $parent 2>/dev/null && kill -0 $self 2>/dev/null; do sleep 1; done
          kill -0 $parent 2>/dev/null || kill -9 $self 2>/dev/null ) </dev/null &
        exec "$0" "$@"
        """

    private static func launch(_ arguments: [String], log: String) throws -> ChildProcess {
        try ChildProcess.spawn("/bin/sh", ["-c", watchdog, binary] + arguments, output: log)
    }

    private static func stopProcess(_ process: ChildProcess) { stopProcess(process, signal: SIGTERM) }

    /// Sends `signal`, waits up to 5 s, then SIGKILLs; returns once the process is reaped.
    private static func stopProcess(_ process: ChildProcess, signal: Int32) {
        guard process.isRunning else { return }
        process.signal(signal)
        let deadline = ContinuousClock.now.advanced(by: .seconds(5))
        while process.isRunning && ContinuousClock.now < deadline { usleep(20_000) }
        if process.isRunning { process.signal(SIGKILL) }
        process.waitUntilExit()
    }

    // MARK: - Health

    /// Runs a blocking probe on its own thread, so waiting for etcd never holds one of the few
    /// threads of Swift's cooperative pool (the whole test run shares them).
    private static func offPool(_ probe: @escaping @Sendable () -> Bool) async -> Bool {
        await withCheckedContinuation { continuation in
            Thread { continuation.resume(returning: probe()) }.start()
        }
    }

    /// Whether `GET /health` on an h2c/HTTP client URL answers `"health":"true"`.
    public static func healthy(_ clientURL: String) -> Bool {
        guard let port = port(of: clientURL) else { return false }
        let request = "GET /health HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\nConnection: close\r\n\r\n"
        guard let answer = exchange(port: port, request: Array(request.utf8)) else { return false }
        return answer.contains("\"health\":\"true\"")
    }

    /// The index of the member that is the raft leader now (from `etcd_server_is_leader` on its
    /// `/metrics`), or nil when none says so. Plain-HTTP clusters only.
    public func leader() async -> Int? {
        for (index, member) in members.enumerated() where isRunning(member: index) {
            let url = member.clientURL
            let isLeader = await Self.offPool {
                guard let port = EtcdCluster.port(of: url) else { return false }
                let request = "GET /metrics HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\nConnection: close\r\n\r\n"
                let answer = EtcdCluster.exchange(port: port, request: Array(request.utf8)) ?? ""
                return answer.contains("\netcd_server_is_leader 1")
            }
            if isLeader { return index }
        }
        return nil
    }

    /// Whether something accepts TCP connections on the URL's port (used for TLS members).
    public static func listening(_ clientURL: String) -> Bool {
        guard let port = port(of: clientURL) else { return false }
        return exchange(port: port, request: nil) != nil
    }

    private static func port(of url: String) -> UInt16? {
        url.split(separator: ":").last.flatMap { UInt16($0) }
    }

    /// Connects to 127.0.0.1:`port`, sends `request` and reads the answer until EOF (1 s timeout).
    private static func exchange(port: UInt16, request: [UInt8]?) -> String? {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var timeout = timeval(tv_sec: 1, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var address = loopback(port: port)
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard connected == 0 else { return nil }
        guard let request else { return "" }
        guard request.withUnsafeBytes({ send(fd, $0.baseAddress, $0.count, 0) }) == request.count else { return nil }
        var answer: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if n <= 0 { break }
            answer += buffer[0..<n]
        }
        return String(decoding: answer, as: UTF8.self)
    }

    private static func loopback(port: UInt16) -> sockaddr_in {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        address.sin_addr.s_addr = UInt32(0x7f00_0001).bigEndian
        return address
    }

    /// Ports handed out by this process, never handed out again.
    private static let handedOut = NSLock()
    nonisolated(unsafe) private static var usedPorts: Set<UInt16> = []

    /// `count` distinct TCP ports that were free on 127.0.0.1 a moment ago, picked at random below
    /// Linux's ephemeral range (32768+), where outgoing connections cannot take them, and never
    /// the same twice in one test process.
    public static func freeLoopbackPorts(_ count: Int) throws -> [UInt16] {
        var sockets: [Int32] = []
        defer { sockets.forEach { close($0) } }
        var ports: [UInt16] = []
        var tries = 0
        while ports.count < count {
            tries += 1
            guard tries < 10_000 else { throw EtcdClusterError("no free loopback port found") }
            let candidate = UInt16.random(in: 20_000...32_000)
            let fresh = handedOut.withLock { usedPorts.insert(candidate).inserted }
            guard fresh else { continue }
            let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            guard fd >= 0 else { throw EtcdClusterError("socket() failed: errno \(errno)") }
            sockets.append(fd)
            var address = loopback(port: candidate)
            let bound = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
                }
            }
            if bound == 0 { ports.append(candidate) }
        }
        return ports
    }
}

/// A child started with `posix_spawn` and reaped with `waitpid` by its owner alone.
///
/// Exists because Foundation's `Process` on Linux can miss a child's exit (its SIGCHLD handling
/// loses the notification under load), and then `waitUntilExit` blocks forever, a cooperative
/// thread with it. Here the owner polls `waitpid(pid, WNOHANG)`, which cannot miss an exit.
public final class ChildProcess: @unchecked Sendable {
    /// The child's process id.
    public let pid: pid_t
    private let lock = NSLock()
    private var status: Int32?

    private init(pid: pid_t) { self.pid = pid }

    /// Starts `path` with `arguments`, stdin from /dev/null, stdout and stderr appended to `output`,
    /// default signal dispositions and an empty signal mask.
    public static func spawn(_ path: String, _ arguments: [String], output: String) throws -> ChildProcess {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, output, O_WRONLY | O_CREAT | O_APPEND, 0o644)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)

        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var none = sigset_t()
        sigemptyset(&none)
        posix_spawnattr_setsigmask(&attributes, &none)
        var defaults = sigset_t()
        sigfillset(&defaults)
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))

        let argv = ([path] + arguments).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var pid: pid_t = 0
        let result = posix_spawn(&pid, path, &actions, &attributes, argv, environ)
        guard result == 0 else { throw EtcdClusterError("cannot start \(path): errno \(result)") }
        return ChildProcess(pid: pid)
    }

    /// Runs `path` to completion (polling, so it never blocks on a lost SIGCHLD); returns its exit
    /// code, or 128 + the signal that ended it.
    public static func run(_ path: String, _ arguments: [String], output: String) async throws -> Int32 {
        let child = try spawn(path, arguments, output: output)
        while child.isRunning { try await Task.sleep(for: .milliseconds(5)) }
        return child.exitCode ?? -1
    }

    /// Whether the child still runs (reaps it when it has exited).
    public var isRunning: Bool {
        lock.withLock {
            if status != nil { return false }
            var raw: Int32 = 0
            let result = waitpid(pid, &raw, WNOHANG)
            if result == pid {
                status = raw
            } else if result < 0 && errno == ECHILD {
                status = -1
            }
            return status == nil
        }
    }

    /// The exit code (or 128 + signal) once the child has exited and been reaped.
    public var exitCode: Int32? {
        guard !isRunning, let raw = lock.withLock({ status }) else { return nil }
        if raw < 0 { return nil }
        let signal = raw & 0x7f
        return signal == 0 ? (raw >> 8) & 0xff : 128 + signal
    }

    /// Sends `signal` unless the child has already been reaped (its pid may be reused then).
    public func signal(_ signal: Int32) {
        lock.withLock { if status == nil { _ = kill(pid, signal) } }
    }

    /// Blocks until the child has exited and is reaped.
    public func waitUntilExit() {
        while isRunning { usleep(10_000) }
    }
}

/// Why an etcd test cluster could not start.
public struct EtcdClusterError: Error, CustomStringConvertible {
    /// What went wrong, with the member's log when it failed to start.
    public var description: String
    /// The member could not bind its port (taken since it was chosen).
    var portTaken = false

    /// An error with this message.
    public init(_ description: String) { self.description = description }
}
