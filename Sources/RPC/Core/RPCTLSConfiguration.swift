import TLS

/// The PEM files (and, when asked for, the ciphers) of one side of a mutual-TLS connection.
///
/// Exists so the modules above RPC (the etcd backend, the executables) configure a client or a
/// server without importing the TLS module: RPC maps this value onto `TLS.TLSConfiguration` when
/// it builds its TLS context, and nothing of the TLS module shows in RPC's public API. The
/// server requires a client certificate that chains to `caFile`; the client verifies the server's.
public struct RPCTLSConfiguration: Sendable, Equatable {
    /// PEM file with the CA certificates that the peer's certificate must chain to.
    public var caFile: String
    /// PEM file with this side's certificate chain (leaf first).
    public var certificateChainFile: String
    /// PEM file with this side's private key.
    public var privateKeyFile: String
    /// OpenSSL cipher list for TLS 1.2; nil keeps the TLS layer's AEAD-only default.
    public var cipherList: String?
    /// OpenSSL ciphersuites for TLS 1.3; nil keeps the TLS layer's default.
    public var cipherSuites: String?

    /// The three files of `--ca-file`, `--cert-file` and `--key-file`, with the default ciphers.
    public init(
        caFile: String, certificateChainFile: String, privateKeyFile: String, cipherList: String? = nil,
        cipherSuites: String? = nil
    ) {
        self.caFile = caFile
        self.certificateChainFile = certificateChainFile
        self.privateKeyFile = privateKeyFile
        self.cipherList = cipherList
        self.cipherSuites = cipherSuites
    }

    /// The TLS module's configuration for this value (ALPN h2, TLS 1.2 or newer).
    var tlsConfiguration: TLSConfiguration {
        var configuration = TLSConfiguration(
            certificateChainFile: certificateChainFile, privateKeyFile: privateKeyFile, trustRootsFile: caFile)
        if let cipherList { configuration.cipherList = cipherList }
        if let cipherSuites { configuration.cipherSuites = cipherSuites }
        return configuration
    }
}
