import Foundation
import TLS
import TestSupport
import Testing

/// Building an SSL_CTX: bad files and settings are clear errors that name what is wrong.
@Suite("TLSContext configuration")
struct TLSContextTests {
    let certs: CertificateAuthority

    init() throws {
        certs = try CertificateAuthority.make()
    }

    func configuration(cert: String? = nil, key: String? = nil, ca: String? = nil) -> TLSConfiguration {
        TLSConfiguration(
            certificateChainFile: cert ?? certs.serverCert, privateKeyFile: key ?? certs.serverKey,
            trustRootsFile: ca ?? certs.caFile)
    }

    func configurationError(_ configuration: TLSConfiguration, role: TLSContext.Role = .server) -> TLSError? {
        do {
            _ = try TLSContext(configuration: configuration, role: role)
            return nil
        } catch {
            return error as? TLSError
        }
    }

    @Test("good files make a server and a client context")
    func goodFiles() throws {
        defer { certs.remove() }
        _ = try TLSContext(configuration: configuration(), role: .server)
        _ = try TLSContext(
            configuration: configuration(cert: certs.clientCert, key: certs.clientKey), role: .client)
    }

    @Test("a missing certificate, key or CA file is an error naming the file")
    func missingFiles() throws {
        defer { certs.remove() }
        let missing = certs.directory + "/missing.pem"
        for bad in [configuration(cert: missing), configuration(key: missing), configuration(ca: missing)] {
            let error = try #require(configurationError(bad))
            #expect(error.kind == .configuration)
            #expect(error.message.contains(missing))
            #expect(error.message.contains("No such file"), "OpenSSL's reason is kept: \(error.message)")
        }
    }

    @Test("a file that is not PEM is an error naming the file")
    func notPEM() throws {
        defer { certs.remove() }
        let garbage = certs.directory + "/garbage.pem"
        try "not a certificate\n".write(toFile: garbage, atomically: true, encoding: .utf8)
        for bad in [configuration(cert: garbage), configuration(key: garbage), configuration(ca: garbage)] {
            let error = try #require(configurationError(bad))
            #expect(error.message.contains(garbage))
        }
    }

    @Test("a key that does not belong to the certificate is refused")
    func mismatchedKey() throws {
        defer { certs.remove() }
        let error = try #require(configurationError(configuration(key: certs.clientKey)))
        #expect(error.kind == .configuration)
        #expect(error.message.contains(certs.clientKey))
    }

    @Test("an unknown cipher list, cipher suite or empty ALPN name is refused")
    func badSettings() throws {
        defer { certs.remove() }
        var ciphers = configuration()
        ciphers.cipherList = "NOT-A-CIPHER"
        #expect(try #require(configurationError(ciphers)).message.contains("NOT-A-CIPHER"))
        var suites = configuration()
        suites.cipherSuites = "TLS_NOT_A_SUITE"
        #expect(try #require(configurationError(suites)).message.contains("TLS_NOT_A_SUITE"))
        var alpn = configuration()
        alpn.applicationProtocols = [""]
        #expect(configurationError(alpn, role: .client) != nil)
    }
}
