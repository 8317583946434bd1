/// What one side of a TLS connection presents and trusts.
///
/// Exists so executables can turn `--ca-file/--cert-file/--key-file` into one value that both the
/// server (client certificate required) and the client (server verified) use.
public struct TLSConfiguration: Sendable {
    public enum Version: Sendable { case tls12, tls13 }

    /// PEM file with this side's certificate chain (leaf first).
    public var certificateChainFile: String
    /// PEM file with this side's private key.
    public var privateKeyFile: String
    /// PEM file with the CA certificates that the peer's certificate must chain to.
    public var trustRootsFile: String
    public var minimumVersion: Version = .tls12
    /// OpenSSL cipher list for TLS 1.2 (secure AEAD-only default).
    public var cipherList: String = "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305"
    /// OpenSSL ciphersuites for TLS 1.3.
    public var cipherSuites: String = "TLS_AES_128_GCM_SHA256:TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256"
    /// ALPN protocols, in preference order; the connection is closed unless one is agreed.
    public var applicationProtocols: [String] = ["h2"]

    public init(certificateChainFile: String, privateKeyFile: String, trustRootsFile: String) {
        self.certificateChainFile = certificateChainFile
        self.privateKeyFile = privateKeyFile
        self.trustRootsFile = trustRootsFile
    }
}
