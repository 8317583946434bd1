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
/// member and removes the data dirs, so no process outlives the test. `kill(member:)` SIGKILLs
/// one member, as a crash would.
public final class EtcdCluster: @unchecked Sendable {
    /// One running (or killed) member.
    public struct Member: Sendable {
        public var name: String
        public var clientURL: String
        public var peerURL: String
        public var dataDirectory: String
        public var logFile: String
    }

    /// TLS for the client port: etcd requires client certificates signed by `caFile`.
    public struct TLSFiles: Sendable {
        public var caFile: String
        public var certificateFile: String
        public var keyFile: String

        public init(caFile: String, certificateFile: String, keyFile: String) {
            self.caFile = caFile
            self.certificateFile = certificateFile
            self.keyFile = keyFile
        }
    }

    public static var binary: String { ProcessInfo.processInfo.environment["BBS_ETCD_BINARY"] ?? "/usr/bin/etcd" }

    /// Whether an etcd binary is installed (tests are skipped with a message when it is not).
    public static var isAvailable: Bool { FileManager.default.isExecutableFile(atPath: binary) }

    public let members: [Member]
    private let root: String
    private let lock = NSLock()
    private var processes: [Process?]

    /// The client URLs, in member order.
    public var clientURLs: [String] { members.map(\.clientURL) }

    /// `etcd:URL,URL,...` as `--store` takes it.
    public var storeURL: String { "etcd:" + clientURLs.joined(separator: ",") }

    private init(members: [Member], processes: [Process], root: String) {
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
        var processes: [Process] = []
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
            processes.forEach(stopProcess)
            throw error
        }
        let cluster = EtcdCluster(members: members, processes: processes, root: root)
        let deadline = ContinuousClock.now.advanced(by: timeout)
        for (index, member) in members.enumerated() {
            while !(tls == nil ? healthy(member.clientURL) : listening(member.clientURL)) {
                guard ContinuousClock.now < deadline, cluster.isRunning(member: index) else {
                    let log = (try? String(contentsOfFile: member.logFile, encoding: .utf8)) ?? ""
                    cluster.stop()
                    throw EtcdClusterError("etcd member \(member.name) did not become healthy; its log:\n\(log.suffix(4000))")
                }
                try await Task.sleep(for: .milliseconds(100))
            }
        }
        return cluster
    }

    /// SIGKILLs member `index` and waits for it to exit.
    public func kill(member index: Int) {
        let process = lock.withLock { () -> Process? in
            defer { processes[index] = nil }
            return processes[index]
        }
        if let process { Self.stopProcess(process, signal: SIGKILL) }
    }

    public func isRunning(member index: Int) -> Bool {
        lock.withLock { processes[index]?.isRunning ?? false }
    }

    /// Kills every member that still runs and removes the data directories. Idempotent.
    public func stop() {
        let running = lock.withLock { () -> [Process] in
            defer { processes = processes.map { _ in nil } }
            return processes.compactMap { $0 }
        }
        running.forEach { Self.stopProcess($0) }
        try? FileManager.default.removeItem(atPath: root)
    }

    // MARK: - Processes

    private static func launch(_ arguments: [String], log: String) throws -> Process {
        _ = FileManager.default.createFile(atPath: log, contents: nil)
        guard let output = FileHandle(forWritingAtPath: log) else { throw EtcdClusterError("cannot write \(log)") }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = arguments
        process.standardOutput = output
        process.standardError = output
        process.standardInput = FileHandle.nullDevice
        try process.run()
        try? output.close()
        return process
    }

    private static func stopProcess(_ process: Process) { stopProcess(process, signal: SIGTERM) }

    /// Sends `signal`, waits up to 5 s, then SIGKILLs; returns once the process is reaped.
    private static func stopProcess(_ process: Process, signal: Int32) {
        guard process.isRunning else { return }
        _ = sendSignal(process.processIdentifier, signal)
        let deadline = Date().addingTimeInterval(5)
        while process.isRunning && Date() < deadline { usleep(20_000) }
        if process.isRunning { _ = sendSignal(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
    }

    // MARK: - Health

    /// Whether `GET /health` on an h2c/HTTP client URL answers `"health":"true"`.
    public static func healthy(_ clientURL: String) -> Bool {
        guard let port = port(of: clientURL) else { return false }
        let request = "GET /health HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\nConnection: close\r\n\r\n"
        guard let answer = exchange(port: port, request: Array(request.utf8)) else { return false }
        return answer.contains("\"health\":\"true\"")
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

    /// `count` distinct TCP ports that were free on 127.0.0.1 a moment ago (all bound at once,
    /// so none repeats).
    public static func freeLoopbackPorts(_ count: Int) throws -> [UInt16] {
        var sockets: [Int32] = []
        defer { sockets.forEach { close($0) } }
        var ports: [UInt16] = []
        for _ in 0..<count {
            let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            guard fd >= 0 else { throw EtcdClusterError("socket() failed: errno \(errno)") }
            sockets.append(fd)
            var address = loopback(port: 0)
            let bound = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
                }
            }
            guard bound == 0 else { throw EtcdClusterError("bind() failed: errno \(errno)") }
            var length = socklen_t(MemoryLayout<sockaddr_in>.size)
            let named = withUnsafeMutablePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
            }
            guard named == 0 else { throw EtcdClusterError("getsockname() failed: errno \(errno)") }
            ports.append(UInt16(bigEndian: address.sin_port))
        }
        return ports
    }
}

private func sendSignal(_ pid: Int32, _ signal: Int32) -> Int32 { kill(pid, signal) }

/// Why an etcd test cluster could not start.
public struct EtcdClusterError: Error, CustomStringConvertible {
    public var description: String

    public init(_ description: String) { self.description = description }
}
