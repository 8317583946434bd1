import Foundation
import TestSupport
import Testing

/// Reflection-based tools against the real `rpc-interop-server` over mutual TLS: a Python client
/// built like grpcurl (grpcio-reflection's descriptor database, grpcio-health-checking, messages
/// made from reflected descriptors, no generated stubs) lists, resolves and calls every service.
///
/// The script (`Tests/Interop/python/reflection_client.py`) runs once against one server; each test
/// asserts on one part of the JSON it prints.
@Suite("reflection tools: grpcio-reflection lists, resolves and calls every service of rpc-interop-server")
struct ReflectionToolTests {
    static let expectedServices = [
        "grpc.health.v1.Health", "grpc.reflection.v1.ServerReflection", "grpc.reflection.v1alpha.ServerReflection",
        "grpc.testing.TestService",
    ]

    @Test("the script passes every check and the server exits cleanly afterwards")
    func scriptPasses() async throws {
        let run = try await ReflectionRun.shared.value
        let report = try run.report()
        #expect(run.status == 0, "\(run.output)\n\(run.errors)\nserver: \(run.serverErrors)")
        #expect(report.ok, "\(report.error ?? "")")
        #expect(run.serverStatus == 0, "the server exits cleanly on SIGTERM: \(run.serverErrors)")
    }

    @Test("v1 and v1alpha list_services name exactly the served services")
    func listsServices() async throws {
        let report = try await ReflectionRun.shared.value.report()
        #expect(report.list_v1 == Self.expectedServices)
        #expect(report.list_v1alpha == Self.expectedServices)
    }

    @Test("every listed service resolves by symbol, with every method's input and output types")
    func resolvesEveryService() async throws {
        let report = try await ReflectionRun.shared.value.report()
        for resolved in [report.resolved_v1, report.resolved_v1alpha] {
            #expect(resolved?.keys.sorted() == Self.expectedServices)
            let test = resolved?["grpc.testing.TestService"]
            #expect(test?.file == "grpc/testing/test.proto")
            #expect(test?.methods["UnaryCall"] == .init(
                input: "grpc.testing.SimpleRequest", output: "grpc.testing.SimpleResponse",
                client_streaming: false, server_streaming: false))
            #expect(test?.methods["FullDuplexCall"]?.client_streaming == true)
            #expect(test?.methods["FullDuplexCall"]?.server_streaming == true)
            let health = resolved?["grpc.health.v1.Health"]
            #expect(health?.file == "grpc/health/v1/health.proto")
            #expect(health?.methods["Watch"] == .init(
                input: "grpc.health.v1.HealthCheckRequest", output: "grpc.health.v1.HealthCheckResponse",
                client_streaming: false, server_streaming: true))
            #expect(resolved?["grpc.reflection.v1.ServerReflection"]?.methods["ServerReflectionInfo"] == .init(
                input: "grpc.reflection.v1.ServerReflectionRequest",
                output: "grpc.reflection.v1.ServerReflectionResponse", client_streaming: true, server_streaming: true))
            #expect(resolved?["grpc.reflection.v1alpha.ServerReflection"]?.file
                == "grpc/reflection/v1alpha/reflection.proto")
        }
    }

    @Test("UnaryCall and EmptyCall work with messages built from reflected descriptors")
    func callsDynamically() async throws {
        let report = try await ReflectionRun.shared.value.report()
        #expect(report.calls?.UnaryCall.response_type == "grpc.testing.SimpleResponse")
        #expect(report.calls?.UnaryCall.payload_bytes == 314_159)
        #expect(report.calls?.EmptyCall.response_type == "grpc.testing.Empty")
        #expect(report.calls?.EmptyCall.bytes == 0)
    }

    @Test("grpcio-health-checking: Check and Watch of the server are SERVING, of an unknown service not found")
    func health() async throws {
        let report = try await ReflectionRun.shared.value.report()
        #expect(report.health?.check_overall == "SERVING")
        #expect(report.health?.check_unknown == "NOT_FOUND")
        #expect(report.health?.watch_overall == "SERVING")
        #expect(report.health?.watch_unknown == "SERVICE_UNKNOWN")
    }

    @Test("file_containing_symbol names the defining file first, and an unknown symbol is NOT_FOUND")
    func symbolLookups() async throws {
        let report = try await ReflectionRun.shared.value.report()
        for symbols in [report.symbols_v1, report.symbols_v1alpha] {
            let method = symbols?["grpc.testing.TestService.UnaryCall"]?.files
            #expect(method?.first == "grpc/testing/test.proto")
            #expect(Set(method ?? []) == [
                "grpc/testing/test.proto", "grpc/testing/messages.proto", "grpc/testing/empty.proto",
            ])
            #expect(symbols?["grpc.testing.SimpleRequest"]?.files == ["grpc/testing/messages.proto"])
            #expect(symbols?["grpc.health.v1.HealthCheckResponse.ServingStatus"]?.files?.first
                == "grpc/health/v1/health.proto")
            #expect(symbols?["grpc.testing.NoSuchMessage"]?.error_code == 5)
        }
    }

    @Test("fields, enum values (scoped beside their enum) and oneofs are symbols too, as protobuf resolves them")
    func everyKindOfSymbol() async throws {
        let report = try await ReflectionRun.shared.value.report()
        for symbols in [report.symbols_v1, report.symbols_v1alpha] {
            #expect(symbols?["grpc.testing.SimpleRequest.response_size"]?.files == ["grpc/testing/messages.proto"])
            #expect(symbols?["grpc.testing.COMPRESSABLE"]?.files == ["grpc/testing/messages.proto"])
            #expect(symbols?["grpc.health.v1.HealthCheckResponse.SERVING"]?.files == ["grpc/health/v1/health.proto"])
            #expect(symbols?["grpc.reflection.v1.ServerReflectionRequest.message_request"]?.files
                == ["grpc/reflection/v1/reflection.proto"])
        }
    }

    @Test("several requests on one reflection stream, as grpcurl sends them, are answered in order")
    func oneStream() async throws {
        let report = try await ReflectionRun.shared.value.report()
        let expected = [
            "list_services_response", "file_descriptor_response", "error_response", "all_extension_numbers_response",
            "error_response", "error_response",
        ]
        #expect(report.stream_v1 == expected)
        #expect(report.stream_v1alpha == expected)
    }

    @Test("the script fails, naming the service, when a service it expects is not listed")
    func scriptCanFail() async throws {
        let certs = try TestCertificates.get()
        let server = try await ServerProcess(
            executable: try ServerProcess.executableURL(named: "rpc-interop-server"),
            arguments: ReflectionRun.serverArguments(certs))
        let result = try await Python.run(
            Python.script("reflection_client.py"),
            ReflectionRun.clientArguments(certs, port: server.port) + ["--expect_service", "no.such.Service"],
            timeout: .seconds(30))
        await server.stop()
        #expect(result.status != 0)
        let report = try ReflectionReport.decode(result.standardOutput)
        #expect(!report.ok)
        #expect(report.error?.contains("no.such.Service") == true, "\(report.error ?? result.standardError)")
    }
}

/// One run of the reflection script against one `rpc-interop-server`, shared by the suite's tests.
struct ReflectionRun: Sendable {
    var status: Int32
    var output: String
    var errors: String
    var serverStatus: Int32
    var serverErrors: String

    static let shared = Task { try await ReflectionRun.start() }

    static func serverArguments(_ certs: CertificateAuthority) -> [String] {
        [
            "--port", "0", "--use_tls=true", "--ca-file", certs.caFile, "--cert-file", certs.serverCert,
            "--key-file", certs.serverKey,
        ]
    }

    static func clientArguments(_ certs: CertificateAuthority, port: Int) -> [String] {
        [
            "--server_host", "127.0.0.1", "--server_port", String(port), "--server_host_override", "localhost",
            "--use_tls", "true", "--ca_file", certs.caFile, "--cert_file", certs.clientCert, "--key_file",
            certs.clientKey,
        ]
    }

    static func start() async throws -> ReflectionRun {
        let certs = try TestCertificates.get()
        let server = try await ServerProcess(
            executable: try ServerProcess.executableURL(named: "rpc-interop-server"),
            arguments: serverArguments(certs))
        let result = try await Python.run(
            Python.script("reflection_client.py"), clientArguments(certs, port: server.port), timeout: .seconds(30))
        let serverStatus = await server.stop()
        return ReflectionRun(
            status: result.status, output: result.standardOutput, errors: result.standardError,
            serverStatus: serverStatus, serverErrors: server.standardError)
    }

    func report() throws -> ReflectionReport {
        try ReflectionReport.decode(output)
    }
}

/// The JSON `reflection_client.py` prints (its keys, hence the snake case).
struct ReflectionReport: Decodable {
    struct Method: Decodable, Equatable {
        var input: String
        var output: String
        var client_streaming: Bool
        var server_streaming: Bool
    }
    struct Service: Decodable {
        var file: String
        var methods: [String: Method]
    }
    struct Calls: Decodable {
        struct Unary: Decodable {
            var response_type: String
            var payload_bytes: Int
        }
        struct Empty: Decodable {
            var response_type: String
            var bytes: Int
        }
        var UnaryCall: Unary
        var EmptyCall: Empty
    }
    struct Health: Decodable {
        var check_overall: String
        var check_unknown: String
        var watch_overall: String
        var watch_unknown: String
    }
    /// A found symbol's file names, or an unknown symbol's error.
    struct Lookup: Decodable {
        var files: [String]?
        var error_code: Int?

        init(from decoder: any Decoder) throws {
            if let files = try? decoder.singleValueContainer().decode([String].self) {
                self.files = files
            } else {
                let error = try decoder.container(keyedBy: CodingKeys.self)
                error_code = try error.decode(Int.self, forKey: .error_code)
            }
        }

        enum CodingKeys: String, CodingKey { case error_code }
    }

    var ok: Bool
    var error: String?
    var list_v1: [String]?
    var list_v1alpha: [String]?
    var resolved_v1: [String: Service]?
    var resolved_v1alpha: [String: Service]?
    var calls: Calls?
    var health: Health?
    var symbols_v1: [String: Lookup]?
    var symbols_v1alpha: [String: Lookup]?
    var stream_v1: [String]?
    var stream_v1alpha: [String]?

    static func decode(_ output: String) throws -> ReflectionReport {
        try JSONDecoder().decode(ReflectionReport.self, from: Data(output.utf8))
    }
}
