import Foundation
import NIOCore
import NIOPosix
import Testing

@testable import HTTP2

private let nghttpPath = "/usr/bin/nghttp"

/// Runs a process to completion without blocking a thread of the cooperative pool. Output goes
/// to files: a pipe read only at exit would block a child that writes more than the pipe holds.
private func run(_ path: String, _ arguments: [String]) async throws -> (status: Int32, stdout: Data, stderr: Data) {
    let directory = FileManager.default.temporaryDirectory
    let outURL = directory.appendingPathComponent("h2-nghttp-out-\(UUID().uuidString)")
    let errURL = directory.appendingPathComponent("h2-nghttp-err-\(UUID().uuidString)")
    _ = FileManager.default.createFile(atPath: outURL.path, contents: nil)
    _ = FileManager.default.createFile(atPath: errURL.path, contents: nil)
    defer {
        try? FileManager.default.removeItem(at: outURL)
        try? FileManager.default.removeItem(at: errURL)
    }
    let out = try FileHandle(forWritingTo: outURL)
    let err = try FileHandle(forWritingTo: errURL)
    let process = Process()
    process.executableURL = URL(fileURLWithPath: path)
    process.arguments = arguments
    process.standardInput = FileHandle.nullDevice
    process.standardOutput = out
    process.standardError = err
    let status: Int32 = try await withCheckedThrowingContinuation { continuation in
        process.terminationHandler = { continuation.resume(returning: $0.terminationStatus) }
        do { try process.run() } catch { continuation.resume(throwing: error) }
    }
    try out.close()
    try err.close()
    return (status, try Data(contentsOf: outURL), try Data(contentsOf: errURL))
}

@Suite("HTTP2 server against the nghttp client")
struct NghttpInteropTests {
    @Test(
        "nghttp (prior-knowledge h2c) gets a 200 KB upload echoed back with trailers",
        .enabled(if: FileManager.default.isExecutableFile(atPath: nghttpPath)))
    func echoWithNghttp() async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let server = try await ServerBootstrap(group: group)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(
                        HTTP2ServerHandler(
                            settings: HTTP2Settings(), makeStreamHandler: { _, _ in echoServerStream() }))
                }
            }
            .bind(host: "127.0.0.1", port: 0).get()
        let port = try #require(server.localAddress?.port)

        let body = Data((0..<200_000).map { UInt8(truncatingIfNeeded: $0 &* 7 &+ $0 / 256) })
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("h2-nghttp-\(UUID().uuidString)")
        try body.write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }

        let url = "http://127.0.0.1:\(port)/echo"
        let result = try await run(
            nghttpPath, ["-v", "-t", "20", "-d", file.path, "-H", "content-type: application/grpc", url])
        let log = String(decoding: result.stdout, as: UTF8.self)
        #expect(result.status == 0, "\(String(decoding: result.stderr, as: UTF8.self))")
        #expect(log.contains("grpc-status: 0"))
        #expect(log.contains("recv SETTINGS frame"))
        // Without -v the body alone goes to stdout: compare it byte for byte.
        let quiet = try await run(nghttpPath, ["-t", "20", "-d", file.path, url])
        #expect(quiet.status == 0)
        #expect(quiet.stdout == body)

        try await server.close()
        try await group.shutdownGracefully()
    }
}
