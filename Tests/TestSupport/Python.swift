import Foundation

/// Runs the Python test scripts (grpcio clients) and captures what they print.
///
/// Exists so tests drive our server with a real gRPC implementation. The interpreter is
/// `BBS_PYTHON` (set by `make test`), else `<package root>/.venv/bin/python` (`make deps`).
public enum Python {
    /// The result of one script run.
    public struct Result: Sendable {
        public var status: Int32
        public var standardOutput: String
        public var standardError: String
        public var timedOut: Bool
    }

    /// The interpreter to use, or an error telling how to get one.
    public static func interpreter() throws -> String {
        if let path = ProcessInfo.processInfo.environment["BBS_PYTHON"], !path.isEmpty {
            guard FileManager.default.isExecutableFile(atPath: path) else {
                throw PythonError(description: "BBS_PYTHON=\(path) is not an executable")
            }
            return path
        }
        let venv = ServerProcess.packageRoot.appendingPathComponent(".venv/bin/python").path
        if FileManager.default.isExecutableFile(atPath: venv) { return venv }
        throw PythonError(description: "no Python with grpcio: set BBS_PYTHON or run `make deps` (creates .venv)")
    }

    /// `Tests/Interop/python/<name>`.
    public static func script(_ name: String) -> String {
        ServerProcess.packageRoot.appendingPathComponent("Tests/Interop/python/\(name)").path
    }

    /// Runs `python script arguments...`, killing it after `timeout`.
    public static func run(
        _ script: String, _ arguments: [String], timeout: Duration = .seconds(60)
    ) async throws -> Result {
        let python = try interpreter()
        return try await run(executable: python, [script] + arguments, timeout: timeout)
    }

    /// Runs any executable with `arguments`, capturing stdout and stderr, killing it after `timeout`.
    public static func run(
        executable: String, _ arguments: [String], stdin: Data? = nil, timeout: Duration = .seconds(60)
    ) async throws -> Result {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        let out = Pipe()
        let err = Pipe()
        let input = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = input
        try process.run()
        if let stdin { input.fileHandleForWriting.write(stdin) }
        try? input.fileHandleForWriting.close()
        let pid = process.processIdentifier
        let timer = Task {
            try await Task.sleep(for: timeout)
            kill(pid, SIGKILL)
        }
        // Blocking reads run on Dispatch threads, never on the (small) cooperative pool that
        // parallel tests share.
        async let stdoutData = readToEnd(out.fileHandleForReading)
        async let stderrData = readToEnd(err.fileHandleForReading)
        let (stdoutBytes, stderrBytes) = await (stdoutData, stderrData)
        while process.isRunning { try? await Task.sleep(for: .milliseconds(5)) }
        let timedOut =
            timer.isCancelled == false && process.terminationReason == .uncaughtSignal
            && process.terminationStatus == SIGKILL
        timer.cancel()
        return Result(
            status: process.terminationStatus, standardOutput: String(decoding: stdoutBytes, as: UTF8.self),
            standardError: String(decoding: stderrBytes, as: UTF8.self), timedOut: timedOut)
    }
}

private func readToEnd(_ handle: FileHandle) async -> Data {
    await withCheckedContinuation { continuation in
        DispatchQueue.global().async { continuation.resume(returning: handle.readDataToEndOfFile()) }
    }
}

/// No usable Python interpreter.
public struct PythonError: Error, CustomStringConvertible {
    public var description: String
}
