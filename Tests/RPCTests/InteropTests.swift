import Foundation
import Interop
import NIOCore
import RPC
import TestSupport
import Testing

// MARK: - Fixtures shared by the Client, Interop and Security tests

/// One set of generated certificates for the whole test run (generating costs a dozen openssl runs).
enum TestCertificates {
    private static let made: Result<CertificateAuthority, any Error> = Result { try CertificateAuthority.make() }

    static func get() throws -> CertificateAuthority { try made.get() }

    static func server() throws -> RPCTLSConfiguration {
        let ca = try get()
        return RPCTLSConfiguration(caFile: ca.caFile, certificateChainFile: ca.serverCert, privateKeyFile: ca.serverKey)
    }

    static func client() throws -> RPCTLSConfiguration {
        let ca = try get()
        return RPCTLSConfiguration(caFile: ca.caFile, certificateChainFile: ca.clientCert, privateKeyFile: ca.clientKey)
    }
}

/// An `RPCServer` on a free loopback port for one test, with the interop service and `extra` methods.
struct InProcessServer {
    let server: RPCServer
    var port: Int { server.localPort }

    static func start(
        tls: Bool = true, threads: Int = 1, port: Int = 0, _ extra: (inout RPCRouter) -> Void = { _ in }
    ) async throws -> InProcessServer {
        var router = RPCRouter()
        router.register(TestServiceProvider())
        extra(&router)
        var configuration = RPCServerConfiguration(
            host: "127.0.0.1", port: port, security: tls ? .mutualTLS(try TestCertificates.server()) : .insecurePlaintext)
        configuration.threads = threads
        let server = RPCServer(configuration: configuration, router: router)
        try await server.start()
        return InProcessServer(server: server)
    }

    func client(
        connections: Int = 1, tls: RPCTLSConfiguration? = nil, configure: (inout RPCClientConfiguration) -> Void = { _ in }
    ) throws -> RPCClient {
        var configuration = RPCClientConfiguration(
            host: "127.0.0.1", port: port,
            security: .mutualTLS(try tls ?? TestCertificates.client(), serverName: "localhost"))
        configuration.connections = connections
        configure(&configuration)
        return RPCClient(configuration: configuration)
    }

    func plaintextClient() -> RPCClient {
        RPCClient(configuration: RPCClientConfiguration(host: "127.0.0.1", port: port, security: .plaintext))
    }

    func stop() async { await server.shutdownGracefully(timeout: .seconds(2)) }
}

/// Runs `body` with a started server and a client of it; stops both however `body` ends.
func withServerAndClient<T>(
    tls: Bool = true, _ extra: (inout RPCRouter) -> Void = { _ in },
    _ body: (InProcessServer, RPCClient) async throws -> T
) async throws -> T {
    let server = try await InProcessServer.start(tls: tls, extra)
    let client = tls ? try server.client() : server.plaintextClient()
    do {
        let result = try await body(server, client)
        await client.close()
        await server.stop()
        return result
    } catch {
        await client.close()
        await server.stop()
        throw error
    }
}

/// The payload the interop cases send: `size` zero bytes.
func zeros(_ size: Int) -> Grpc_Testing_Payload {
    var payload = Grpc_Testing_Payload()
    payload.body = Data(count: size)
    return payload
}

func outputRequest(sizes: [Int], payload: Int = 0) -> Grpc_Testing_StreamingOutputCallRequest {
    var request = Grpc_Testing_StreamingOutputCallRequest()
    request.responseParameters = sizes.map { size in
        var parameters = Grpc_Testing_ResponseParameters()
        parameters.size = Int32(size)
        return parameters
    }
    if payload > 0 { request.payload = zeros(payload) }
    return request
}

/// The interop test cases (grpc/grpc doc/interop-test-descriptions.md) that both clients run.
let interopCases = [
    "empty_unary", "large_unary", "client_streaming", "server_streaming", "ping_pong", "empty_stream",
    "custom_metadata", "status_code_and_message", "special_status_message", "unimplemented_method",
    "unimplemented_service", "cancel_after_begin", "cancel_after_first_response", "timeout_on_sleeping_server",
]

// MARK: - The interop cases with our own client, in-process, over mTLS

@Suite("interop cases: our RPCClient against RPCServer over mutual TLS")
struct InteropTests {
    @Test("our client passes the interop case", arguments: interopCases)
    func interopCase(_ name: String) async throws {
        try await withServerAndClient { _, client in
            try await SwiftInteropCases(client: client).run(name)
        }
    }
}

@Suite("the interop service")
struct InteropServiceTests {
    @Test("registering the test service adds its protos for server reflection")
    func reflectionDescriptors() {
        var router = RPCRouter()
        router.register(TestServiceProvider())
        #expect(router.fileDescriptors.count == 3)
        #expect(router.methods.contains(TestServiceMethods.fullDuplexCall.descriptor))
    }
}

/// The interop cases written against `RPCClient`.
struct SwiftInteropCases {
    let client: RPCClient
    let methods = TestServiceMethods.self
    let specialMessage = "\t\ntest with whitespace\r\nand Unicode BMP \u{263A} and non-BMP \u{1F608}\t\n"

    func run(_ name: String) async throws {
        switch name {
        case "empty_unary": try await emptyUnary()
        case "large_unary": try await largeUnary()
        case "client_streaming": try await clientStreaming()
        case "server_streaming": try await serverStreaming()
        case "ping_pong": try await pingPong()
        case "empty_stream": try await emptyStream()
        case "custom_metadata": try await customMetadata()
        case "status_code_and_message": try await statusCodeAndMessage("test status message")
        case "special_status_message": try await statusCodeAndMessage(specialMessage)
        case "unimplemented_method": try await unimplemented(methods.unimplementedCall)
        case "unimplemented_service": try await unimplemented(methods.unimplementedServiceCall)
        case "cancel_after_begin": try await cancelAfterBegin()
        case "cancel_after_first_response": try await cancelAfterFirstResponse()
        case "timeout_on_sleeping_server": try await timeoutOnSleepingServer()
        default: Issue.record("unknown interop case \(name)")
        }
    }

    let timeout = CallOptions(timeout: .seconds(30))

    func emptyUnary() async throws {
        let response = try await client.unary(methods.emptyCall, Grpc_Testing_Empty(), options: timeout)
        #expect(response == Grpc_Testing_Empty())
    }

    func largeUnary() async throws {
        var request = Grpc_Testing_SimpleRequest()
        request.responseSize = 314_159
        request.payload = zeros(271_828)
        let response = try await client.unary(methods.unaryCall, request, options: timeout)
        #expect(response.payload.body == Data(count: 314_159))
    }

    func clientStreaming() async throws {
        let response = try await client.clientStreaming(methods.streamingInputCall, options: timeout) { writer in
            for size in [27_182, 8, 1_828, 45_904] {
                var request = Grpc_Testing_StreamingInputCallRequest()
                request.payload = zeros(size)
                try await writer.write(request)
            }
        }
        #expect(response.aggregatedPayloadSize == 74_922)
    }

    func serverStreaming() async throws {
        let sizes = [31_415, 9, 2_653, 58_979]
        let got = try await client.serverStreaming(
            methods.streamingOutputCall, outputRequest(sizes: sizes), options: timeout
        ) { responses in
            var got: [Int] = []
            for try await response in responses { got.append(response.payload.body.count) }
            return got
        }
        #expect(got == sizes)
    }

    func pingPong() async throws {
        let pairs = [(31_415, 27_182), (9, 8), (2_653, 1_828), (58_979, 45_904)]
        let got = try await client.duplexStreaming(
            methods.fullDuplexCall, options: timeout,
            {
                writer, responses in
                var iterator = responses.makeAsyncIterator()
                var got: [Int] = []
                for (responseSize, payloadSize) in pairs {
                    try await writer.write(outputRequest(sizes: [responseSize], payload: payloadSize))
                    got.append(try await iterator.next()?.payload.body.count ?? -1)
                }
                writer.finish()
                let extra = try await iterator.next()
                #expect(extra == nil)
                return got
            })
        #expect(got == pairs.map(\.0))
    }

    func emptyStream() async throws {
        let count = try await client.duplexStreaming(
            methods.fullDuplexCall, options: timeout,
            {
                writer, responses in
                writer.finish()
                var count = 0
                for try await _ in responses { count += 1 }
                return count
            })
        #expect(count == 0)
    }

    func customMetadata() async throws {
        let initialValue = "test_initial_metadata_value"
        let trailingValue: [UInt8] = [0xAB, 0xAB, 0xAB]
        var options = timeout
        options.metadata.add(TestServiceProvider.echoInitialKey, initialValue)
        options.metadata.add(TestServiceProvider.echoTrailingKey, bytes: trailingValue)
        var request = Grpc_Testing_SimpleRequest()
        request.responseSize = 314_159
        request.payload = zeros(271_828)
        let response = try await client.unaryWithMetadata(methods.unaryCall, request, options: options)
        #expect(response.message.payload.body.count == 314_159)
        #expect(response.initialMetadata[TestServiceProvider.echoInitialKey] == initialValue)
        #expect(response.trailingMetadata.bytes(TestServiceProvider.echoTrailingKey) == trailingValue)
    }

    func statusCodeAndMessage(_ message: String) async throws {
        var status = Grpc_Testing_EchoStatus()
        status.code = 2
        status.message = message
        var request = Grpc_Testing_SimpleRequest()
        request.responseStatus = status
        let unaryError = await #expect(throws: RPCError.self) {
            _ = try await client.unary(methods.unaryCall, request, options: timeout)
        }
        #expect(unaryError?.code == .unknown)
        #expect(unaryError?.message == message)

        var streamRequestBuilder = Grpc_Testing_StreamingOutputCallRequest()
        streamRequestBuilder.responseStatus = status
        let streamRequest = streamRequestBuilder
        let duplexError = await #expect(throws: RPCError.self) {
            try await client.duplexStreaming(
                methods.fullDuplexCall, options: timeout,
                {
                    writer, responses in
                    try await writer.write(streamRequest)
                    writer.finish()
                    for try await _ in responses {}
                })
        }
        #expect(duplexError?.code == .unknown)
        #expect(duplexError?.message == message)
    }

    func unimplemented(_ method: RPCMethod<Grpc_Testing_Empty, Grpc_Testing_Empty>) async throws {
        let error = await #expect(throws: RPCError.self) {
            _ = try await client.unary(method, Grpc_Testing_Empty(), options: timeout)
        }
        #expect(error?.code == .unimplemented)
    }

    func cancelAfterBegin() async throws {
        let task = Task {
            try await client.clientStreaming(methods.streamingInputCall, options: timeout) { _ in
                try await Task.sleep(for: .seconds(30))
            }
        }
        try await Task.sleep(for: .milliseconds(50))
        task.cancel()
        let error = await #expect(throws: RPCError.self) { _ = try await task.value }
        #expect(error?.code == .cancelled)
    }

    func cancelAfterFirstResponse() async throws {
        let task = Task {
            try await client.duplexStreaming(
                methods.fullDuplexCall, options: timeout,
                {
                    writer, responses in
                    try await writer.write(outputRequest(sizes: [31_415], payload: 27_182))
                    var iterator = responses.makeAsyncIterator()
                    let first = try await iterator.next()
                    #expect(first?.payload.body.count == 31_415)
                    withUnsafeCurrentTask { $0?.cancel() }
                    _ = try await iterator.next()
                    Issue.record("a response after cancel")
                })
        }
        let error = await #expect(throws: RPCError.self) { try await task.value }
        #expect(error?.code == .cancelled)
    }

    func timeoutOnSleepingServer() async throws {
        let error = await #expect(throws: RPCError.self) {
            try await client.duplexStreaming(
                methods.fullDuplexCall, options: CallOptions(timeout: .milliseconds(1)),
                { writer, responses in
                    try await writer.write(outputRequest(sizes: [], payload: 27_182))
                    for try await _ in responses {}
                })
        }
        #expect(error?.code == .deadlineExceeded)
    }
}
