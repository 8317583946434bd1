/// An OpenSSL `SSL_CTX` for one side (server or client), immutable once made and shared by all loops.
///
/// Exists so certificate loading and policy (versions, ciphers, verification) happen once, with a
/// clear error, at start-up rather than per connection.
public final class TLSContext: @unchecked Sendable {
    public enum Role: Sendable { case server, client }

    public let role: Role

    public init(configuration: TLSConfiguration, role: Role) throws {
        self.role = role
        fatalError("implemented in the RPC-layer issue (TLS part)")
    }
}
