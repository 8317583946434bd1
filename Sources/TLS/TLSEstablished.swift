/// The user event a `TLSHandler` fires once the handshake has succeeded and ALPN agreed.
///
/// Exists so handlers above TLS learn who the verified peer is before the first plaintext byte.
public struct TLSEstablished: Sendable, Equatable {
    /// The ALPN protocol agreed (always set: a handshake without one is closed).
    public var applicationProtocol: String
    /// The verified peer certificate's identity.
    public var peer: TLSPeerIdentity
    /// "TLSv1.2" or "TLSv1.3".
    public var protocolVersion: String

    public init(applicationProtocol: String, peer: TLSPeerIdentity, protocolVersion: String) {
        self.applicationProtocol = applicationProtocol
        self.peer = peer
        self.protocolVersion = protocolVersion
    }
}

/// The identity in a verified peer certificate: its subject and subject alternative names.
public struct TLSPeerIdentity: Sendable, Equatable {
    /// RFC 2253 form, e.g. `CN=rep,O=bbs`.
    public var subject: String
    public var dnsNames: [String]
    public var ipAddresses: [String]
    public var uris: [String]

    public init(subject: String, dnsNames: [String] = [], ipAddresses: [String] = [], uris: [String] = []) {
        self.subject = subject
        self.dnsNames = dnsNames
        self.ipAddresses = ipAddresses
        self.uris = uris
    }
}
