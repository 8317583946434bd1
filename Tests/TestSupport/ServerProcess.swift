import Foundation

/// A built server executable running as a real child process, for tests that talk to it over
/// the network.
///
/// Exists so conformance and integration tests use the real binary: it is launched with its
/// flags, the test waits until it logs `listening on HOST:PORT` on stderr (and learns the port
/// from that line), and `stop()` ends it with SIGTERM, then SIGKILL if it does not exit in time.
public final class ServerProcess: @unchecked Sendable {
    public let process: Process
    /// The port from the `listening on HOST:PORT` line.
    public private(set) var port = 0
    private let lock = NSLock()
    private var stderrText = ""
    private let stderrPipe = Pipe()

    /// Where `swift build` put the executables: `BBS_BIN_DIR`, else beside the running test bundle.
    public static func executableURL(named name: String) throws -> URL {
        var candidates: [URL] = []
        if let dir = ProcessInfo.processInfo.environment["BBS_BIN_DIR"] {
            candidates.append(URL(fileURLWithPath: dir).appendingPathComponent(name))
        }
        var bundleDir = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        for _ in 0..<4 {
            candidates.append(bundleDir.appendingPathComponent(name))
            bundleDir = bundleDir.deletingLastPathComponent()
        }
        candidates.append(packageRoot.appendingPathComponent(".build/debug/\(name)"))
        for candidate in candidates where FileManager.default.isExecutableFile(atPath: candidate.path) {
            return candidate
        }
        throw ServerProcessError(
            description: "no built \(name) found (looked in \(candidates.map(\.path))); run swift build --build-tests")
    }

    /// The package's root directory (the one holding Package.swift).
    public static var packageRoot: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
    }

    /// Launches `executable` with `arguments` and waits for its `listening on` line.
    public init(executable: URL, arguments: [String], startTimeout: Duration = .seconds(20)) async throws {
        process = Process()
        process.executableURL = executable
        process.arguments = arguments
        process.standardError = stderrPipe
        process.standardOutput = FileHandle.nullDevice
        stderrPipe.fileHandleForReading.readabilityHandler = { [weak self] handle in
            let data = handle.availableData
            guard let self, !data.isEmpty else { return }
            self.lock.lock()
            self.stderrText += String(decoding: data, as: UTF8.self)
            self.lock.unlock()
        }
        try process.run()
        let deadline = ContinuousClock.now + startTimeout
        while ContinuousClock.now < deadline {
            if let port = Self.listeningPort(in: standardError) {
                self.port = port
                return
            }
            guard process.isRunning else { break }
            try await Task.sleep(for: .milliseconds(20))
        }
        if process.isRunning { process.terminate() }
        throw ServerProcessError(
            description: "\(executable.lastPathComponent) did not report 'listening on HOST:PORT': \(standardError)")
    }

    /// Everything the process wrote to stderr so far.
    public var standardError: String {
        lock.lock()
        defer { lock.unlock() }
        return stderrText
    }

    /// SIGTERM, then SIGKILL after `grace`; returns the exit status (or signal number).
    @discardableResult
    public func stop(grace: Duration = .seconds(5)) async -> Int32 {
        if process.isRunning { kill(process.processIdentifier, SIGTERM) }
        let deadline = ContinuousClock.now + grace
        while process.isRunning && ContinuousClock.now < deadline {
            try? await Task.sleep(for: .milliseconds(20))
        }
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            while process.isRunning { try? await Task.sleep(for: .milliseconds(10)) }
        }
        stderrPipe.fileHandleForReading.readabilityHandler = nil
        return process.terminationStatus
    }

    static func listeningPort(in text: String) -> Int? {
        guard let range = text.range(of: "listening on ") else { return nil }
        let rest = text[range.upperBound...]
        let address = rest.prefix { !$0.isWhitespace && $0 != "\n" }
        guard let colon = address.lastIndex(of: ":") else { return nil }
        return Int(address[address.index(after: colon)...])
    }
}

/// A server process that could not be found or did not start.
public struct ServerProcessError: Error, CustomStringConvertible {
    public var description: String
}
