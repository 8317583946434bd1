import Foundation
import NIOConcurrencyHelpers
import RPC
import SwiftProtobuf
import TestSupport

/// A real `RPCServer` over mutual TLS on 127.0.0.1 with a small echo service, for the server's
/// end-to-end tests (driven by grpcio and nghttp).
struct ServerTestFixture {
    typealias Text = Google_Protobuf_StringValue

    static let unary = RPCMethod<Text, Text>(service: "test.Echo", method: "Unary", kind: .unary)
    static let serverStream = RPCMethod<Text, Text>(
        service: "test.Echo", method: "ServerStream", kind: .serverStreaming)
    static let clientStream = RPCMethod<Text, Text>(
        service: "test.Echo", method: "ClientStream", kind: .clientStreaming)
    static let bidi = RPCMethod<Text, Text>(service: "test.Echo", method: "Bidi", kind: .bidirectionalStreaming)
    /// Waits a second before reading its requests; answers how many arrived.
    static let hold = RPCMethod<Text, Text>(service: "test.Echo", method: "Hold", kind: .clientStreaming)
    /// Writes `value` messages of 64 KiB each, counting them in `flooded`.
    static let flood = RPCMethod<Text, Text>(service: "test.Echo", method: "Flood", kind: .serverStreaming)

    struct Unexpected: Error {}

    let certificates: CertificateAuthority
    let server: RPCServer
    let port: Int
    /// Messages the Flood handler has written so far.
    let flooded: NIOLockedValueBox<Int>
    /// Handlers that saw their task cancelled ("sleep" calls ended by deadline or reset).
    let cancelled: NIOLockedValueBox<Int>
    /// "sleep" and "slow" handlers that started.
    let sleepers: NIOLockedValueBox<Int>

    /// Rejects calls that carry `x-reject` with the 503 answer, before the handler runs.
    struct RejectingInterceptor: ServerInterceptor {
        func intercept(_ context: ServerContext, next: @Sendable (ServerContext) async throws -> Void) async throws {
            if context.requestMetadata["x-reject"] != nil {
                throw RPCError.unavailable(reason: "rejected by interceptor", retryAfterSeconds: 7)
            }
            try await next(context)
        }
    }

    static func start(
        interceptors: [any ServerInterceptor] = [RejectingInterceptor()], plaintext: Bool = false,
        handlersOnEventLoop: Bool = false
    ) async throws -> ServerTestFixture {
        let certificates = try CertificateAuthority.make()
        var router = RPCRouter()
        let flooded = NIOLockedValueBox(0)
        let cancelled = NIOLockedValueBox(0)
        let sleepers = NIOLockedValueBox(0)
        router.register(
            hold,
            clientStreaming: { requests, _ in
                try await Task.sleep(for: .seconds(1))
                var count = 0
                for try await _ in requests { count += 1 }
                return .with { $0.value = String(count) }
            })
        router.register(
            flood,
            serverStreaming: { request, writer, _ in
                let chunk = String(repeating: "f", count: 64 * 1024)
                for _ in 0..<(Int(request.value) ?? 0) {
                    try await writer.write(.with { $0.value = chunk })
                    flooded.withLockedValue { $0 += 1 }
                }
            })
        router.register(
            unary,
            unary: { request, context in
                context.initialMetadata.add("x-initial", "hello")
                if let echo = context.requestMetadata["x-echo"] { context.trailingMetadata.add("x-echo", echo) }
                if let bytes = context.requestMetadata.bytes("x-bytes-bin") {
                    context.trailingMetadata.add("x-bytes-bin", bytes: bytes)
                }
                switch request.value {
                case "fail":
                    throw RPCError(
                        code: .notFound, message: "ünïcode 100%", metadata: ["bbs-error-type": "ResourceNotFound"])
                case "crash": throw Unexpected()
                case "sleep":
                    sleepers.withLockedValue { $0 += 1 }
                    do {
                        try await Task.sleep(for: .seconds(5))
                    } catch {
                        cancelled.withLockedValue { $0 += 1 }
                        throw error
                    }
                case "slow":
                    sleepers.withLockedValue { $0 += 1 }
                    try await Task.sleep(for: .milliseconds(600))
                case "redirect": throw RPCError.redirect(toMaster: "https://10.0.0.2:8889", path: context.method.path)
                case "unavailable": throw RPCError.unavailable(reason: "migrating", retryAfterSeconds: 2)
                case "peer": return .with { $0.value = context.peer?.subject ?? "none" }
            case "remote": return .with { $0.value = context.remoteAddress }
                default: break
                }
                return request
            })
        router.register(
            serverStream,
            serverStreaming: { request, writer, _ in
                for index in 0..<(Int(request.value) ?? 0) {
                    try await writer.write(.with { $0.value = "message \(index)" })
                }
            })
        router.register(
            clientStream,
            clientStreaming: { requests, _ in
                var joined: [String] = []
                for try await request in requests { joined.append(request.value) }
                return .with { $0.value = joined.joined(separator: ",") }
            })
        router.register(
            bidi,
            bidirectionalStreaming: { requests, writer, _ in
                for try await request in requests { try await writer.write(request) }
            })
        let tls = RPCTLSConfiguration(
            caFile: certificates.caFile, certificateChainFile: certificates.serverCert,
            privateKeyFile: certificates.serverKey)
        var configuration = RPCServerConfiguration(
            host: "127.0.0.1", port: 0, security: plaintext ? .insecurePlaintext : .mutualTLS(tls))
        configuration.threads = 1
        configuration.runsHandlersOnEventLoop = handlersOnEventLoop
        let server = RPCServer(configuration: configuration, router: router, interceptors: interceptors)
        try await server.start()
        return ServerTestFixture(
            certificates: certificates, server: server, port: server.localPort, flooded: flooded,
            cancelled: cancelled, sleepers: sleepers)
    }

    func stop() async {
        await server.shutdownGracefully(timeout: .seconds(2))
        certificates.remove()
    }

    // MARK: - External clients

    /// The Python with grpcio: `BBS_PYTHON`, the package's `.venv`, or a shared venv.
    static func python() -> String? {
        var candidates: [String] = []
        if let configured = ProcessInfo.processInfo.environment["BBS_PYTHON"] { candidates.append(configured) }
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        candidates.append(root.appendingPathComponent(".venv/bin/python").path)
        candidates.append("/tmp/venvtest/bin/python")
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    /// Runs a program to completion; returns its exit status and standard output.
    static func run(_ executable: String, _ arguments: [String]) async throws -> (Int32, String) {
        try await start(executable, arguments).wait()
    }

    /// A program running in the background.
    struct Running: @unchecked Sendable {
        let process: Process
        let output: Pipe

        /// Waits on a thread of its own: blocking one of the few cooperative threads would starve
        /// the server's handler tasks (and every other test's).
        func wait() async -> (Int32, String) {
            await withCheckedContinuation { continuation in
                Thread.detachNewThread {
                    let data = output.fileHandleForReading.readDataToEndOfFile()
                    process.waitUntilExit()
                    continuation.resume(returning: (process.terminationStatus, String(decoding: data, as: UTF8.self)))
                }
            }
        }
    }

    static func start(_ executable: String, _ arguments: [String]) throws -> Running {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        return Running(process: process, output: output)
    }

    /// Runs a grpcio script with `port ca cert key` as its arguments, in the background.
    func startPython(_ script: String, name: String, extra: [String] = []) throws -> Running? {
        guard let python = Self.python() else { return nil }
        let path = certificates.directory + "/\(name).py"
        try script.write(toFile: path, atomically: true, encoding: .utf8)
        return try Self.start(
            python,
            [path, String(port), certificates.caFile, certificates.clientCert, certificates.clientKey] + extra)
    }
}
