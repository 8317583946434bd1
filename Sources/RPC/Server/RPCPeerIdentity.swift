import TLS

/// The identity in the client certificate that the server verified, as handlers see it.
///
/// Exists so `ServerContext.peer` gives services (which never import the TLS module) the
/// caller's subject and subject alternative names, to authorise by, as plain RPC values.
public struct RPCPeerIdentity: Sendable, Equatable {
    /// The certificate's subject in RFC 2253 form, e.g. `CN=rep,O=bbs`.
    public var subject: String
    /// DNS subject alternative names.
    public var dnsNames: [String]
    /// IP address subject alternative names, as text (`10.0.0.2`, `::1`).
    public var ipAddresses: [String]
    /// URI subject alternative names (e.g. SPIFFE ids).
    public var uris: [String]

    /// An identity with a subject and, optionally, subject alternative names.
    public init(subject: String, dnsNames: [String] = [], ipAddresses: [String] = [], uris: [String] = []) {
        self.subject = subject
        self.dnsNames = dnsNames
        self.ipAddresses = ipAddresses
        self.uris = uris
    }

    /// The identity the TLS layer read out of the peer's certificate.
    init(_ identity: TLSPeerIdentity) {
        self.init(
            subject: identity.subject, dnsNames: identity.dnsNames, ipAddresses: identity.ipAddresses,
            uris: identity.uris)
    }
}
