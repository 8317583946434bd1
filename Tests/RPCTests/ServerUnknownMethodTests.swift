import NIOConcurrencyHelpers
import RPC
import Testing

/// Unknown methods pass through the interceptors (a migration gate or a redirect answers every
/// call), and end UNIMPLEMENTED naming the path when the interceptors let them through.
@Suite("Unknown methods and interceptors")
struct ServerUnknownMethodTests {
    typealias Text = ServerTestFixture.Text

    static let nope = RPCMethod<Text, Text>(service: "no.Such", method: "Thing", kind: .unary)

    /// Records the method of every call; answers 503 while `closed` is set.
    final class Gate: ServerInterceptor {
        let seen = NIOLockedValueBox<[MethodDescriptor]>([])
        let closed = NIOLockedValueBox(true)

        func intercept(_ context: ServerContext, next: @Sendable (ServerContext) async throws -> Void) async throws {
            seen.withLockedValue { $0.append(context.method) }
            if closed.withLockedValue({ $0 }) {
                throw RPCError.unavailable(reason: "migrating data version 1 to 3", retryAfterSeconds: 1)
            }
            try await next(context)
        }
    }

    private func client(_ fixture: ServerTestFixture) -> RPCClient {
        let tls = RPCTLSConfiguration(
            caFile: fixture.certificates.caFile, certificateChainFile: fixture.certificates.clientCert,
            privateKeyFile: fixture.certificates.clientKey)
        var configuration = RPCClientConfiguration(
            host: "127.0.0.1", port: fixture.port, security: .mutualTLS(tls, serverName: "localhost"))
        configuration.retryBudget = .zero
        return RPCClient(configuration: configuration)
    }

    @Test("an interceptor sees an unknown method and can answer it with 503; open, it is UNIMPLEMENTED")
    func gateAnswersUnknownMethods() async throws {
        let gate = Gate()
        let fixture = try await ServerTestFixture.start(interceptors: [gate])
        let client = client(fixture)
        var closedError: RPCError?
        do {
            _ = try await client.unary(Self.nope, Text())
        } catch let error as RPCError {
            closedError = error
        }
        #expect(closedError?.code == .unavailable)
        #expect(closedError?.httpAnswer?.status == 503)
        #expect(gate.seen.withLockedValue { $0 } == [MethodDescriptor(service: "no.Such", method: "Thing")])

        gate.closed.withLockedValue { $0 = false }
        var openError: RPCError?
        do {
            _ = try await client.unary(Self.nope, Text())
        } catch let error as RPCError {
            openError = error
        }
        #expect(openError?.code == .unimplemented)
        #expect(openError?.message.contains("/no.Such/Thing") == true)
        let echoed = try await client.unary(ServerTestFixture.unary, .with { $0.value = "known" })
        #expect(echoed.value == "known")
        await client.close()
        await fixture.stop()
    }

    @Test("without interceptors an unknown method is UNIMPLEMENTED naming the path")
    func noInterceptors() async throws {
        let fixture = try await ServerTestFixture.start(interceptors: [])
        let client = client(fixture)
        var error: RPCError?
        do {
            _ = try await client.unary(Self.nope, Text())
        } catch let caught as RPCError {
            error = caught
        }
        #expect(error?.code == .unimplemented)
        #expect(error?.message.contains("/no.Such/Thing") == true)
        await client.close()
        await fixture.stop()
    }
}
