import Foundation
import TestSupport
import Testing

/// gRPC's interop cases driven by Python grpcio over mutual TLS against the real
/// `rpc-interop-server` executable, one server process per case.
/// Serialized: each case starts a Python interpreter and a server, and 14 of them at once would
/// starve the other tests on a 2-core machine. The stubs are generated once, by the first case.
@Suite("interop cases: grpcio against the rpc-interop-server executable over mutual TLS", .serialized)
struct InteropPythonTests {
    static let stubs = FileManager.default.temporaryDirectory.appendingPathComponent("bbs-stubs-\(UUID().uuidString)")
        .path

    @Test("grpcio passes the interop case", arguments: interopCases)
    func grpcioCase(_ name: String) async throws {
        let certs = try TestCertificates.get()
        let server = try await ServerProcess(
            executable: try ServerProcess.executableURL(named: "rpc-interop-server"),
            arguments: [
                "--port", "0", "--use_tls=true", "--ca-file", certs.caFile, "--cert-file", certs.serverCert,
                "--key-file", certs.serverKey,
            ])
        let stubs = Self.stubs
        let result = try await Python.run(
            Python.script("interop_client.py"),
            [
                "--server_host", "127.0.0.1", "--server_port", String(server.port), "--server_host_override",
                "localhost", "--use_tls", "true", "--ca_file", certs.caFile, "--cert_file", certs.clientCert,
                "--key_file", certs.clientKey, "--test_case", name, "--stubs_dir", stubs,
            ],
            timeout: .seconds(60))
        let status = await server.stop()
        #expect(
            result.status == 0, "\(result.standardOutput)\n\(result.standardError)\nserver: \(server.standardError)")
        #expect(result.standardOutput.contains("PASS \(name)"))
        #expect(status == 0, "the server exits cleanly on SIGTERM: \(server.standardError)")
    }

    @Test("rpc-interop-server serves h2c with --use_tls=false --insecure-plaintext on --listen-address")
    func plaintextWhenAsked() async throws {
        let server = try await ServerProcess(
            executable: try ServerProcess.executableURL(named: "rpc-interop-server"),
            arguments: ["--listen-address", "127.0.0.1:0", "--use_tls=false", "--insecure-plaintext"])
        let result = try await Python.run(
            Python.script("interop_client.py"),
            [
                "--server_port", String(server.port), "--use_tls", "false", "--test_case", "empty_unary,large_unary",
                "--stubs_dir", Self.stubs,
            ],
            timeout: .seconds(60))
        await server.stop()
        #expect(result.status == 0, "\(result.standardOutput)\n\(result.standardError)")
        #expect(result.standardOutput.contains("PASS large_unary"))
        #expect(server.standardError.contains("insecure plaintext"))
    }

    @Test("rpc-interop-server refuses --use_tls=false without --insecure-plaintext")
    func refusesImplicitPlaintext() async throws {
        let binary = try ServerProcess.executableURL(named: "rpc-interop-server")
        let result = try await Python.run(
            executable: binary.path, ["--port", "0", "--use_tls=false"], timeout: .seconds(20))
        #expect(result.status != 0)
        #expect(result.standardError.contains("--insecure-plaintext"))
    }
}
