import NIOCore
import TLS
import TestSupport
import Testing

/// Real handshakes on loopback: our server against our client and against `openssl s_client`.
@Suite("TLS handshakes on loopback", .serialized, .timeLimit(.minutes(2)))
struct TLSHandshakeTests {
    let certs: CertificateAuthority
    let serverContext: TLSContext

    init() throws {
        certs = try CertificateAuthority.make()
        serverContext = try TLSContext(
            configuration: TLSConfiguration(
                certificateChainFile: certs.serverCert, privateKeyFile: certs.serverKey, trustRootsFile: certs.caFile),
            role: .server)
    }

    func clientContext(
        cert: String? = nil, key: String? = nil, protocols: [String] = ["h2"]
    ) throws -> TLSContext {
        var configuration = TLSConfiguration(
            certificateChainFile: cert ?? certs.clientCert, privateKeyFile: key ?? certs.clientKey,
            trustRootsFile: certs.caFile)
        configuration.applicationProtocols = protocols
        return try TLSContext(configuration: configuration, role: .client)
    }

    static func payload(_ count: Int) -> ByteBuffer {
        // Not periodic at any record size, so a dropped or repeated chunk is caught.
        let bytes = (0..<count).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ $0 >> 8) }
        return ByteBuffer(bytes: bytes)
    }

    /// A good client echoes a payload and the server saw who it was.
    func expectGoodClientConnects(to server: EchoServer, bytes: Int = 1024) async throws {
        let payload = Self.payload(bytes)
        let outcome = try await EchoClient.exchange(payload, port: server.port, context: clientContext())
        #expect(outcome.error == nil)
        #expect(outcome.received == payload)
        #expect(outcome.established?.applicationProtocol == "h2")
        #expect(outcome.established?.peer.dnsNames == ["localhost"])
        #expect(outcome.established?.peer.ipAddresses == ["127.0.0.1", "::1"])

        let seen = try #require(await server.nextOutcome())
        #expect(seen.error == nil)
        #expect(seen.receivedBytes == bytes)
        #expect(!seen.plaintextBeforeEstablished)
        let established = try #require(seen.established)
        #expect(established.applicationProtocol == "h2")
        #expect(established.protocolVersion == "TLSv1.3")
        #expect(established.peer.subject == certs.clientSubject)
        #expect(established.peer.dnsNames == [certs.clientDNSName])
        #expect(established.peer.uris == [certs.clientURI])
    }

    @Test("a client with a certificate from the CA completes mTLS and its bytes echo back")
    func goodClient() async throws {
        defer { certs.remove() }
        let server = try await EchoServer.start(context: serverContext)
        try await expectGoodClientConnects(to: server)
        try await server.stop()
    }

    @Test("3 MB pass intact in both directions")
    func largePayload() async throws {
        defer { certs.remove() }
        let server = try await EchoServer.start(context: serverContext)
        try await expectGoodClientConnects(to: server, bytes: 3 * 1024 * 1024)
        try await server.stop()
    }

    @Test("a client can verify the server by IP address (no SNI)", arguments: ["127.0.0.1", "::1", "[::1]"])
    func verifiesByIPAddress(address: String) async throws {
        defer { certs.remove() }
        let server = try await EchoServer.start(context: serverContext)
        let payload = Self.payload(100)
        let outcome = try await EchoClient.exchange(
            payload, port: server.port, context: clientContext(), serverName: address)
        #expect(outcome.error == nil)
        #expect(outcome.received == payload)
        _ = await server.nextOutcome()
        try await server.stop()
    }

    @Test("a client refuses a server whose certificate lacks the IP address it dialled")
    func clientRefusesWrongIPAddress() async throws {
        defer { certs.remove() }
        let server = try await EchoServer.start(context: serverContext)
        let outcome = try await EchoClient.exchange(
            Self.payload(10), port: server.port, context: clientContext(), serverName: "10.0.0.1")
        #expect(outcome.established == nil)
        #expect(outcome.error?.message.contains("IP address mismatch") == true, "\(String(describing: outcome.error))")
        _ = await server.nextOutcome()
        try await server.stop()
    }

    @Test("a client refuses a server whose certificate does not name the host it dialled")
    func clientRefusesWrongServerName() async throws {
        defer { certs.remove() }
        let server = try await EchoServer.start(context: serverContext)
        let outcome = try await EchoClient.exchange(
            Self.payload(10), port: server.port, context: clientContext(), serverName: "bbs.example.com")
        #expect(outcome.established == nil)
        #expect(outcome.received.readableBytes == 0)
        #expect(outcome.error?.kind == .handshakeFailed)
        #expect(outcome.error?.message.contains("hostname mismatch") == true)
        let seen = try #require(await server.nextOutcome())
        #expect(seen.established == nil)
        try await server.stop()
    }

    @Test("a TLS 1.2 client (openssl s_client) completes mTLS")
    func tls12Client() async throws {
        defer { certs.remove() }
        let server = try await EchoServer.start(context: serverContext)
        let result = try await OpenSSLClient.connect(
            port: server.port,
            arguments: [
                "-tls1_2", "-alpn", "h2", "-CAfile", certs.caFile, "-verify_return_error",
                "-cert", certs.clientCert, "-key", certs.clientKey,
            ])
        let seen = try #require(await server.nextOutcome())
        #expect(seen.error == nil, "client saw: \(result.output)")
        #expect(seen.established?.protocolVersion == "TLSv1.2")
        #expect(seen.established?.peer.subject == certs.clientSubject)
        #expect(result.output.contains("ALPN protocol: h2"))
        try await server.stop()
    }

    @Test("a server whose minimum is TLS 1.3 refuses a TLS 1.2 client")
    func minimumVersion() async throws {
        defer { certs.remove() }
        var configuration = TLSConfiguration(
            certificateChainFile: certs.serverCert, privateKeyFile: certs.serverKey, trustRootsFile: certs.caFile)
        configuration.minimumVersion = .tls13
        let server = try await EchoServer.start(context: TLSContext(configuration: configuration, role: .server))
        _ = try await OpenSSLClient.connect(
            port: server.port,
            arguments: ["-tls1_2", "-alpn", "h2", "-CAfile", certs.caFile, "-cert", certs.clientCert, "-key", certs.clientKey])
        let seen = try #require(await server.nextOutcome())
        #expect(seen.established == nil)
        #expect(seen.error?.message.contains("unsupported protocol") == true)
        try await server.stop()
    }
}
