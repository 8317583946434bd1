import Foundation

/// Throwaway certificates for mTLS tests, made at run time with the `openssl` command line.
///
/// Exists so no key is ever committed and every TLS test (TLS, RPC, integration) uses the same
/// cast of certificates: a CA, a server, a good client, and three clients that must be refused.
///
/// ```swift
/// let certs = try CertificateAuthority.make()
/// defer { certs.remove() }
/// let server = TLSConfiguration(certificateChainFile: certs.serverCert,
///                               privateKeyFile: certs.serverKey, trustRootsFile: certs.caFile)
/// ```
///
/// All certificates use P-256 keys. Files are PEM, in `directory`:
/// - `caFile`: the CA both sides trust (`O=bbs,CN=bbs test CA`).
/// - `serverCert`/`serverKey`: `CN=localhost`, SAN `DNS:localhost, IP:127.0.0.1, IP:::1`, serverAuth.
/// - `clientCert`/`clientKey`: subject `clientSubject`, SANs `clientDNSName` and `clientURI`, clientAuth.
/// - `otherCAFile`, `otherCAClientCert`/`otherCAClientKey`: a client certificate from a second CA.
/// - `expiredClientCert`/`expiredClientKey`: signed by the good CA, valid only in January 2020.
public struct CertificateAuthority: Sendable {
    public let directory: String
    public let caFile: String
    public let caKey: String
    public let serverCert: String
    public let serverKey: String
    public let clientCert: String
    public let clientKey: String
    public let otherCAFile: String
    public let otherCAClientCert: String
    public let otherCAClientKey: String
    public let expiredClientCert: String
    public let expiredClientKey: String

    /// The good client's subject in RFC 2253 form, as `TLSPeerIdentity.subject` reports it.
    public let clientSubject = "CN=bbs-test-client,O=bbs"
    public let clientDNSName = "client.bbs.test"
    public let clientURI = "spiffe://bbs.test/client"

    /// Generates everything in a fresh temporary directory (about a dozen `openssl` runs).
    public static func make() throws -> CertificateAuthority {
        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("bbs-certs-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let openssl = OpenSSLCommand(directory: directory)
        try openssl.writeConfiguration()

        try openssl.makeCA(name: "ca", subject: "/O=bbs/CN=bbs test CA")
        try openssl.makeCA(name: "other-ca", subject: "/O=elsewhere/CN=other test CA")
        try openssl.issue(name: "server", subject: "/CN=localhost", extensions: "server_ext", by: "ca")
        try openssl.issue(name: "client", subject: "/O=bbs/CN=bbs-test-client", extensions: "client_ext", by: "ca")
        try openssl.issue(
            name: "other-ca-client", subject: "/O=bbs/CN=bbs-test-client", extensions: "client_ext", by: "other-ca")
        try openssl.issueExpired(name: "expired-client", subject: "/O=bbs/CN=bbs-expired-client", by: "ca")

        func path(_ file: String) -> String { "\(directory)/\(file)" }
        return CertificateAuthority(
            directory: directory,
            caFile: path("ca.pem"), caKey: path("ca.key"),
            serverCert: path("server.pem"), serverKey: path("server.key"),
            clientCert: path("client.pem"), clientKey: path("client.key"),
            otherCAFile: path("other-ca.pem"),
            otherCAClientCert: path("other-ca-client.pem"), otherCAClientKey: path("other-ca-client.key"),
            expiredClientCert: path("expired-client.pem"), expiredClientKey: path("expired-client.key"))
    }

    /// Deletes the directory and every key in it.
    public func remove() {
        try? FileManager.default.removeItem(atPath: directory)
    }
}

/// A failed `openssl` run, with its arguments and standard error.
public struct CertificateAuthorityError: Error, CustomStringConvertible {
    public var description: String
}
