import NIOCore
import TLS
import TestSupport
import Testing

/// The clients the server must refuse, and a good client that still gets in after each one.
@Suite("TLS refusals", .serialized, .timeLimit(.minutes(2)))
struct TLSRefusalTests {
    enum RefusedClient: String, CaseIterable, CustomTestStringConvertible {
        case noCertificate, otherCA, expired, tls11Only, http11Only, noALPN
        var testDescription: String { rawValue }
    }

    /// Runs `client` against a fresh server and returns what the server saw of it.
    func refuse(_ client: RefusedClient, suite: TLSHandshakeTests, server: EchoServer) async throws
        -> (server: ServerConnectionOutcome, client: String)
    {
        let certs = suite.certs
        let sClientBase = ["-CAfile", certs.caFile, "-verify_return_error"]
        switch client {
        case .noCertificate:
            let result = try await OpenSSLClient.connect(port: server.port, arguments: sClientBase + ["-alpn", "h2"])
            return (try #require(await server.nextOutcome()), result.output)
        case .tls11Only:
            let result = try await OpenSSLClient.connect(
                port: server.port,
                arguments: sClientBase + [
                    "-tls1_1", "-cipher", "DEFAULT@SECLEVEL=0", "-alpn", "h2",
                    "-cert", certs.clientCert, "-key", certs.clientKey,
                ])
            return (try #require(await server.nextOutcome()), result.output)
        case .noALPN:
            let result = try await OpenSSLClient.connect(
                port: server.port, arguments: sClientBase + ["-cert", certs.clientCert, "-key", certs.clientKey])
            return (try #require(await server.nextOutcome()), result.output)
        case .otherCA, .expired, .http11Only:
            // The server's alert must reach the client before the connection closes.
            let context: TLSContext
            let alert: String
            switch client {
            case .otherCA:
                context = try suite.clientContext(cert: certs.otherCAClientCert, key: certs.otherCAClientKey)
                alert = "alert unknown ca"
            case .expired:
                context = try suite.clientContext(cert: certs.expiredClientCert, key: certs.expiredClientKey)
                alert = "alert certificate expired"
            default:
                context = try suite.clientContext(protocols: ["http/1.1"])
                alert = "alert no application protocol"
            }
            let outcome = try await EchoClient.exchange(
                TLSHandshakeTests.payload(64), port: server.port, context: context)
            #expect(outcome.received.readableBytes == 0, "a refused client must get no application data back")
            #expect(outcome.error?.message.contains(alert) == true, "got \(String(describing: outcome.error))")
            return (try #require(await server.nextOutcome()), outcome.error?.message ?? "")
        }
    }

    @Test("the server refuses the client, then still serves a good one", arguments: RefusedClient.allCases)
    func refused(_ client: RefusedClient) async throws {
        let suite = try TLSHandshakeTests()
        defer { suite.certs.remove() }
        let server = try await EchoServer.start(context: suite.serverContext)

        let (seen, clientSaw) = try await refuse(client, suite: suite, server: server)
        #expect(seen.established == nil, "the server must not accept it; client saw: \(clientSaw)")
        #expect(seen.receivedBytes == 0)
        let error = try #require(seen.error, "the server must report why; client saw: \(clientSaw)")
        switch client {
        case .noCertificate:
            #expect(error.kind == .handshakeFailed)
            #expect(error.message.contains("peer did not return a certificate"))
        case .otherCA:
            #expect(error.kind == .handshakeFailed)
            #expect(error.message.contains("unable to get local issuer certificate"))
        case .expired:
            #expect(error.kind == .handshakeFailed)
            #expect(error.message.contains("certificate has expired"))
        case .tls11Only:
            #expect(error.kind == .handshakeFailed)
            #expect(error.message.contains("unsupported protocol"))
        case .http11Only:
            #expect(error.kind == .handshakeFailed)
            #expect(error.message.contains("no application protocol"))
        case .noALPN:
            #expect(error.kind == .noApplicationProtocol)
        }

        try await suite.expectGoodClientConnects(to: server)
        try await server.stop()
    }
}
