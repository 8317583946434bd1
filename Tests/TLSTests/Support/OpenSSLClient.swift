import Foundation

/// `openssl s_client`, for clients our own TLSContext refuses to be: no certificate, TLS 1.1 only,
/// no ALPN at all.
enum OpenSSLClient {
    struct Result: Sendable {
        var status: Int32
        var output: String
    }

    /// Connects to 127.0.0.1:`port`, sends nothing (stdin is empty), and returns once it exits.
    static func connect(port: Int, arguments: [String]) async throws -> Result {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["openssl", "s_client", "-connect", "127.0.0.1:\(port)", "-servername", "localhost"]
            + arguments
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        process.standardInput = FileHandle.nullDevice
        let exited = AsyncStream.makeStream(of: Int32.self)
        process.terminationHandler = { exited.continuation.yield($0.terminationStatus) }
        try process.run()
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        var statuses = exited.stream.makeAsyncIterator()
        let status = await statuses.next() ?? -1
        return Result(status: status, output: text)
    }
}
