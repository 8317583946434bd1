import Foundation
import RPC
import Testing

/// Malformed requests sent with nghttp (a real HTTP/2 client that does not speak gRPC), each
/// answered with a clear status while the server keeps serving.
@Suite("Server answers bad input with a clear status", .serialized)
struct ServerBadInputTests {
    struct Case: Sendable, CustomStringConvertible {
        var description: String
        var path = "/test.Echo/Unary"
        var contentType = "application/grpc"
        var headers: [String] = []
        var body: [UInt8]
        var expected: [String]
    }

    static let cases: [Case] = [
        Case(
            description: "a length prefix claiming 100 MB is RESOURCE_EXHAUSTED",
            body: [0, 0x06, 0x40, 0, 0, 1, 2, 3], expected: ["grpc-status: 8"]),
        Case(
            description: "a message cut short by END_STREAM is INTERNAL",
            body: [0, 0, 0, 0, 10, 1, 2, 3], expected: ["grpc-status: 13", "middle of a message"]),
        Case(
            description: "a body that does not decode is INVALID_ARGUMENT",
            body: [0, 0, 0, 0, 3, 0xFF, 0xFF, 0xFF], expected: ["grpc-status: 3", "google.protobuf.StringValue"]),
        Case(
            description: "a compressed flag without grpc-encoding is INTERNAL",
            body: [1, 0, 0, 0, 1, 0], expected: ["grpc-status: 13"]),
        Case(
            description: "no message on a unary call is INTERNAL", body: [], expected: ["grpc-status: 13"]),
        Case(
            description: "two messages on a unary call are INTERNAL", body: [0, 0, 0, 0, 0, 0, 0, 0, 0, 0],
            expected: ["grpc-status: 13", "more than one"]),
        Case(
            description: "an unknown path is UNIMPLEMENTED", path: "/no.Such/Method", body: [0, 0, 0, 0, 0],
            expected: ["grpc-status: 12", "/no.Such/Method"]),
        Case(
            description: "an unsupported grpc-encoding is UNIMPLEMENTED with grpc-accept-encoding",
            headers: ["grpc-encoding: snappy"], body: [0, 0, 0, 0, 0],
            expected: ["grpc-status: 12", "grpc-accept-encoding: identity,gzip"]),
        Case(
            description: "a bad -bin metadata value is INTERNAL", headers: ["x-id-bin: !!!"], body: [0, 0, 0, 0, 0],
            expected: ["grpc-status: 13", "x-id-bin"]),
        Case(
            description: "a malformed grpc-timeout is INTERNAL", headers: ["grpc-timeout: soon"],
            body: [0, 0, 0, 0, 0],
            expected: ["grpc-status: 13", "grpc-timeout"]),
        Case(
            description: "the longest grpc-timeout is accepted", headers: ["grpc-timeout: 99999999H"],
            body: [0, 0, 0, 0, 4, 0x0A, 0x02, 0x6F, 0x6B], expected: ["grpc-status: 0"]),
        Case(
            description: "a zero grpc-timeout is DEADLINE_EXCEEDED", headers: ["grpc-timeout: 0n"],
            body: [0, 0, 0, 0, 4, 0x0A, 0x02, 0x6F, 0x6B], expected: ["grpc-status: 4"]),
        Case(
            description: "a JSON content-type is HTTP 415", contentType: "application/json", body: [0, 0, 0, 0, 0],
            expected: [":status: 415", "grpc-status: 3"]),
    ]

    @Test("each bad request gets its status, and a good call still works after all of them")
    func badRequests() async throws {
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/nghttp") else {
            Issue.record("nghttp not installed (apt nghttp2-client, see make deps)")
            return
        }
        let fixture = try await ServerTestFixture.start()
        let certs = fixture.certificates
        for (index, testCase) in Self.cases.enumerated() {
            let bodyPath = certs.directory + "/body\(index).bin"
            try Data(testCase.body).write(to: URL(fileURLWithPath: bodyPath))
            let (_, output) = try await ServerTestFixture.run(
                "/usr/bin/nghttp",
                [
                    "-v", "-n", "--cert", certs.clientCert, "--key", certs.clientKey, "-d", bodyPath,
                    "-H", "content-type: \(testCase.contentType)", "-H", "te: trailers",
                ] + testCase.headers.flatMap { ["-H", $0] } + ["https://127.0.0.1:\(fixture.port)\(testCase.path)"])
            for expected in testCase.expected {
                #expect(output.contains(expected), "\(testCase): expected \(expected) in\n\(output)")
            }
        }
        // A good call after all of that.
        let goodPath = certs.directory + "/good.bin"
        try Data([0, 0, 0, 0, 4, 0x0A, 0x02, 0x6F, 0x6B]).write(to: URL(fileURLWithPath: goodPath))
        let (_, output) = try await ServerTestFixture.run(
            "/usr/bin/nghttp",
            [
                "-v", "-n", "--cert", certs.clientCert, "--key", certs.clientKey, "-d", goodPath,
                "-H", "content-type: application/grpc", "-H", "te: trailers",
                "https://127.0.0.1:\(fixture.port)/test.Echo/Unary",
            ])
        #expect(output.contains("grpc-status: 0"), "\(output)")
        await fixture.stop()
    }

    @Test("an --insecure-plaintext server speaks h2c with prior knowledge")
    func plaintext() async throws {
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/nghttp") else {
            Issue.record("nghttp not installed (apt nghttp2-client, see make deps)")
            return
        }
        let fixture = try await ServerTestFixture.start(plaintext: true)
        let goodPath = fixture.certificates.directory + "/good.bin"
        try Data([0, 0, 0, 0, 4, 0x0A, 0x02, 0x6F, 0x6B]).write(to: URL(fileURLWithPath: goodPath))
        let (_, output) = try await ServerTestFixture.run(
            "/usr/bin/nghttp",
            [
                "-v", "-n", "-d", goodPath, "-H", "content-type: application/grpc", "-H", "te: trailers",
                "http://127.0.0.1:\(fixture.port)/test.Echo/Unary",
            ])
        await fixture.stop()
        #expect(output.contains("grpc-status: 0"), "\(output)")
    }
}
