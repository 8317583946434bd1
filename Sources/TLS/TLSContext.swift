internal import COpenSSL

/// An OpenSSL `SSL_CTX` for one side (server or client), immutable once made and shared by all loops.
///
/// Exists so certificate loading and policy (versions, ciphers, verification) happen once, with a
/// clear error, at start-up rather than per connection.
///
/// Policy: TLS 1.2 and 1.3 only; the peer's certificate is always verified against the trust roots
/// (a server *requires* a client certificate); no compression, no renegotiation, no session
/// resumption (no tickets, no cache: every connection does a full, fully verified handshake);
/// ALPN is mandatory (the server's select callback refuses a client without a common protocol).
public final class TLSContext: @unchecked Sendable {
    public enum Role: Sendable { case server, client }

    public let role: Role
    /// ALPN protocols in preference order, as configured.
    let applicationProtocols: [String]
    /// The `SSL_CTX*`; never leaves the TLS module, freed in `deinit`.
    let pointer: OpaquePointer

    public init(configuration: TLSConfiguration, role: Role) throws {
        self.role = role
        self.applicationProtocols = configuration.applicationProtocols
        OpenSSLErrorQueue.clear()
        guard let ctx = SSL_CTX_new(role == .server ? TLS_server_method() : TLS_client_method()) else {
            throw TLSError.configuration("cannot create an SSL_CTX: \(OpenSSLErrorQueue.drain())")
        }
        do {
            try Self.configure(ctx, with: configuration, role: role)
        } catch {
            SSL_CTX_free(ctx)
            throw error
        }
        self.pointer = ctx
        if role == .server {
            // Unretained: every SSL made from this SSL_CTX belongs to a TLSConnection, which retains
            // this TLSContext, so `self` outlives every handshake that can call back.
            SSL_CTX_set_alpn_select_cb(ctx, TLSContext.alpnSelect, Unmanaged.passUnretained(self).toOpaque())
        }
    }

    deinit {
        SSL_CTX_free(pointer)
    }
}

// MARK: - Configuration

extension TLSContext {
    private static func configure(_ ctx: OpaquePointer, with configuration: TLSConfiguration, role: Role) throws {
        let minimum = configuration.minimumVersion == .tls13 ? TLS1_3_VERSION : TLS1_2_VERSION
        try check(shim_SSL_CTX_set_min_proto_version(ctx, minimum) == 1, "cannot set the minimum TLS version")
        try check(shim_SSL_CTX_set_max_proto_version(ctx, TLS1_3_VERSION) == 1, "cannot set the maximum TLS version")

        var options = shim_SSL_OP_NO_COMPRESSION() | shim_SSL_OP_NO_RENEGOTIATION() | shim_SSL_OP_NO_TICKET()
        if role == .server { options |= shim_SSL_OP_CIPHER_SERVER_PREFERENCE() }
        _ = SSL_CTX_set_options(ctx, options)
        _ = shim_SSL_CTX_set_session_cache_mode(ctx, Int(SSL_SESS_CACHE_OFF))
        _ = SSL_CTX_set_num_tickets(ctx, 0)

        try check(
            SSL_CTX_set_cipher_list(ctx, configuration.cipherList) == 1,
            "invalid TLS 1.2 cipher list '\(configuration.cipherList)'")
        try check(
            SSL_CTX_set_ciphersuites(ctx, configuration.cipherSuites) == 1,
            "invalid TLS 1.3 cipher suites '\(configuration.cipherSuites)'")

        try loadIdentity(ctx, certificateChainFile: configuration.certificateChainFile,
                         privateKeyFile: configuration.privateKeyFile)
        try loadTrustRoots(ctx, file: configuration.trustRootsFile, role: role)

        let alpn = try ALPN.wireFormat(configuration.applicationProtocols)
        if role == .client, !alpn.isEmpty {
            // Returns 0 on success, unlike most OpenSSL calls.
            let rc = alpn.withUnsafeBufferPointer { SSL_CTX_set_alpn_protos(ctx, $0.baseAddress, UInt32($0.count)) }
            try check(rc == 0, "cannot set the ALPN protocols \(configuration.applicationProtocols)")
        }
    }

    private static func loadIdentity(_ ctx: OpaquePointer, certificateChainFile: String, privateKeyFile: String) throws {
        try check(
            SSL_CTX_use_certificate_chain_file(ctx, certificateChainFile) == 1,
            "cannot load the certificate chain file '\(certificateChainFile)'")
        try check(
            SSL_CTX_use_PrivateKey_file(ctx, privateKeyFile, SSL_FILETYPE_PEM) == 1,
            "cannot load the private key file '\(privateKeyFile)'")
        try check(
            SSL_CTX_check_private_key(ctx) == 1,
            "the private key '\(privateKeyFile)' does not match the certificate '\(certificateChainFile)'")
    }

    private static func loadTrustRoots(_ ctx: OpaquePointer, file: String, role: Role) throws {
        try check(
            SSL_CTX_load_verify_locations(ctx, file, nil) == 1,
            "cannot load the trusted CA file '\(file)'")
        switch role {
        case .server:
            SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, nil)
            // Only advertises which CAs we accept (CertificateRequest); trust comes from the store above.
            guard let names = SSL_load_client_CA_file(file) else {
                throw TLSError.configuration(
                    "cannot read CA names from '\(file)': \(OpenSSLErrorQueue.drain())")
            }
            SSL_CTX_set_client_CA_list(ctx, names)
        case .client:
            SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, nil)
        }
    }

    /// Throws a configuration error carrying `what` and OpenSSL's queued errors unless `ok`.
    private static func check(_ ok: Bool, _ what: String) throws {
        if !ok {
            throw TLSError.configuration("\(what): \(OpenSSLErrorQueue.drain())")
        }
        OpenSSLErrorQueue.clear()
    }
}

// MARK: - ALPN selection (server)

extension TLSContext {
    /// Picks the first of our protocols (in our preference order) that the client offered; without
    /// one the handshake fails with a fatal `no_application_protocol` alert.
    private static let alpnSelect:
        @convention(c) (
            OpaquePointer?, UnsafeMutablePointer<UnsafePointer<UInt8>?>?, UnsafeMutablePointer<UInt8>?,
            UnsafePointer<UInt8>?, UInt32, UnsafeMutableRawPointer?
        ) -> Int32 = { _, out, outLength, clientList, clientLength, arg in
            guard let out, let outLength, let clientList, let arg else { return shim_SSL_TLSEXT_ERR_ALERT_FATAL() }
            let context = Unmanaged<TLSContext>.fromOpaque(arg).takeUnretainedValue()
            let offered = UnsafeBufferPointer(start: clientList, count: Int(clientLength))
            guard let match = ALPN.select(context.applicationProtocols, from: offered) else {
                return shim_SSL_TLSEXT_ERR_ALERT_FATAL()
            }
            // Point into the client's list: OpenSSL keeps it alive for the handshake.
            out.pointee = clientList + match.offset
            outLength.pointee = UInt8(match.length)
            return shim_SSL_TLSEXT_ERR_OK()
        }
}
