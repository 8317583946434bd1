import Foundation
import TestSupport

/// The real `bbs` executable as a child process whose stderr the test watches, for kill and restart tests.
///
/// Unlike `ServerProcess` it does not wait for `listening on`: the kill loop needs to SIGKILL it at any
/// moment, including before it listens, and to see it exit non-zero on refused start-ups.
final class BBSProcess: @unchecked Sendable {
    let process = Process()
    private let pipe = Pipe()
    private let lock = NSLock()
    private var text = ""

    init(_ arguments: [String]) throws {
        process.executableURL = try ServerProcess.executableURL(named: "bbs")
        process.arguments = arguments
        process.standardError = pipe
        process.standardOutput = FileHandle.nullDevice
        pipe.fileHandleForReading.readabilityHandler = { [weak self] handle in
            let data = handle.availableData
            guard let self, !data.isEmpty else { return }
            self.lock.withLock { self.text += String(decoding: data, as: UTF8.self) }
        }
        try process.run()
    }

    /// Everything written to stderr so far.
    var standardError: String { lock.withLock { text } }

    /// Waits until stderr contains `needle` (true) or the process exits or time runs out (false).
    func waitFor(_ needle: String, timeout: Duration = .seconds(120)) async throws -> Bool {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if standardError.contains(needle) { return true }
            if !process.isRunning {
                try await Task.sleep(for: .milliseconds(50))  // let the last stderr bytes arrive
                return standardError.contains(needle)
            }
            try await Task.sleep(for: .milliseconds(5))
        }
        return false
    }

    /// The port from the `listening on HOST:PORT` line.
    var port: Int? {
        guard let range = standardError.range(of: "listening on ") else { return nil }
        let rest = standardError[range.upperBound...].prefix { $0 != "\n" }
        return rest.split(separator: ":").last.flatMap { Int($0) }
    }

    func signal(_ number: Int32) {
        if process.isRunning { kill(process.processIdentifier, number) }
    }

    /// Waits for exit; returns the status (the signal number when killed).
    func waitForExit(timeout: Duration = .seconds(60)) async throws -> Int32 {
        let deadline = ContinuousClock.now + timeout
        while process.isRunning {
            guard ContinuousClock.now < deadline else {
                kill(process.processIdentifier, SIGKILL)
                throw IntegrationError("bbs did not exit in time: \(standardError)")
            }
            try await Task.sleep(for: .milliseconds(10))
        }
        return process.terminationStatus
    }

    /// Runs bbs to completion (for commands that exit: refused start-ups, `bbs migrate`).
    static func run(_ arguments: [String], timeout: Duration = .seconds(120)) async throws -> (status: Int32, stderr: String) {
        let bbs = try BBSProcess(arguments)
        let status = try await bbs.waitForExit(timeout: timeout)
        try await Task.sleep(for: .milliseconds(50))
        return (status, bbs.standardError)
    }
}

struct IntegrationError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
