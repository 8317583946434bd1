internal import COpenSSL
import NIOCore

/// One TLS session in memory-BIO mode: ciphertext in through `receive`, out through `takeOutput`.
///
/// Exists so the `SSL*` has exactly one owner: this class makes it, frees it (and its two BIOs)
/// in `deinit`, and no C pointer leaves it. It does no I/O; `TLSHandler` moves the bytes.
final class TLSConnection {
    /// What a handshake step did.
    enum HandshakeResult: Equatable {
        case complete
        case wantRead
        case failed(TLSError)
    }

    /// What a read step found.
    enum ReadResult: Equatable {
        /// No more plaintext until more ciphertext arrives.
        case wantRead
        /// The peer sent close_notify.
        case closeNotify
        case failed(TLSError)
    }

    private let ssl: OpaquePointer
    /// Ciphertext from the network; owned by `ssl`.
    private let readBIO: OpaquePointer
    /// Ciphertext for the network; owned by `ssl`.
    private let writeBIO: OpaquePointer
    /// Retained so the `SSL_CTX` and its ALPN callback's user data outlive this session.
    let context: TLSContext

    /// - Parameter serverName: client only: a DNS name (verified and sent as SNI) or an IP
    ///   literal (verified against the certificate's IP SANs, no SNI).
    init(context: TLSContext, serverName: String?) throws {
        OpenSSLErrorQueue.clear()
        guard let ssl = SSL_new(context.pointer) else {
            throw TLSError.configuration("cannot create an SSL session: \(OpenSSLErrorQueue.drain())")
        }
        guard let readBIO = BIO_new(BIO_s_mem()), let writeBIO = BIO_new(BIO_s_mem()) else {
            SSL_free(ssl)
            throw TLSError.configuration("cannot create memory BIOs: \(OpenSSLErrorQueue.drain())")
        }
        // An empty read BIO means "wait for more", not end of file.
        _ = shim_BIO_set_mem_eof_return(readBIO, -1)
        _ = shim_BIO_set_mem_eof_return(writeBIO, -1)
        SSL_set_bio(ssl, readBIO, writeBIO)
        self.ssl = ssl
        self.readBIO = readBIO
        self.writeBIO = writeBIO
        self.context = context

        switch context.role {
        case .server:
            SSL_set_accept_state(ssl)
        case .client:
            SSL_set_connect_state(ssl)
            if let serverName { try expectPeer(named: serverName) }
        }
    }

    deinit {
        SSL_free(ssl)
    }

    /// Makes verification require `name`: the certificate's DNS SAN (and SNI) for a host name,
    /// its IP SAN for an IP literal.
    private func expectPeer(named name: String) throws {
        var literal = name
        if literal.hasPrefix("["), literal.hasSuffix("]") { literal = String(literal.dropFirst().dropLast()) }
        if let address = a2i_IPADDRESS(literal) {
            ASN1_OCTET_STRING_free(address)
            guard X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl), literal) == 1 else {
                throw TLSError.configuration("cannot verify against IP '\(literal)': \(OpenSSLErrorQueue.drain())")
            }
        } else {
            guard SSL_set1_host(ssl, name) == 1, shim_SSL_set_tlsext_host_name(ssl, name) == 1 else {
                throw TLSError.configuration("invalid server name '\(name)': \(OpenSSLErrorQueue.drain())")
            }
        }
        OpenSSLErrorQueue.clear()
    }
}

// MARK: - Ciphertext in and out

extension TLSConnection {
    /// Hands ciphertext from the network to OpenSSL (a memory BIO takes all of it).
    func receive(_ buffer: ByteBuffer) {
        buffer.withUnsafeReadableBytes { bytes in
            var offset = 0
            while offset < bytes.count {
                let chunk = min(bytes.count - offset, Int(Int32.max))
                let written = BIO_write(readBIO, bytes.baseAddress! + offset, Int32(chunk))
                guard written > 0 else { return }
                offset += Int(written)
            }
        }
    }

    /// Ciphertext bytes waiting to go to the network.
    var pendingOutput: Int { Int(BIO_ctrl_pending(writeBIO)) }

    /// Everything OpenSSL wants to send, in one buffer; nil when there is nothing.
    func takeOutput(allocator: ByteBufferAllocator) -> ByteBuffer? {
        let pending = pendingOutput
        guard pending > 0 else { return nil }
        var buffer = allocator.buffer(capacity: pending)
        while true {
            let count = pendingOutput
            if count == 0 { break }
            let chunk = min(count, Int(Int32.max))
            let read = buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: chunk) { target in
                Int(max(0, BIO_read(writeBIO, target.baseAddress, Int32(chunk))))
            }
            if read == 0 { break }
        }
        return buffer
    }
}

// MARK: - Handshake, application data, shutdown

extension TLSConnection {
    /// Advances the handshake with whatever ciphertext has been received.
    func handshake() -> HandshakeResult {
        OpenSSLErrorQueue.clear()
        let rc = SSL_do_handshake(ssl)
        if rc == 1 { return .complete }
        switch SSL_get_error(ssl, rc) {
        case SSL_ERROR_WANT_READ, SSL_ERROR_WANT_WRITE:
            return .wantRead
        default:
            return .failed(.handshakeFailed(failureDescription()))
        }
    }

    /// Decrypts application data into `buffer` until a record boundary leaves it without room,
    /// OpenSSL needs more ciphertext, the peer closes, or an error.
    /// - Returns: nil while more plaintext may be ready (call again), else why it stopped.
    func read(into buffer: inout ByteBuffer, maximumBytes: Int) -> ReadResult? {
        while buffer.readableBytes < maximumBytes {
            // Plaintext never exceeds the ciphertext it comes from, so this sizes the buffer
            // without growing it per call; with nothing buffered SSL_read could only want more.
            let available = Int(SSL_pending(ssl)) + Int(BIO_ctrl_pending(readBIO))
            if available == 0 { return .wantRead }
            let room = min(available, maximumBytes - buffer.readableBytes, 64 * 1024)
            OpenSSLErrorQueue.clear()
            var rc: Int32 = 0
            buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: room) { target in
                rc = SSL_read(ssl, target.baseAddress, Int32(min(target.count, Int(Int32.max))))
                return Int(max(rc, 0))
            }
            if rc > 0 { continue }
            switch SSL_get_error(ssl, rc) {
            case SSL_ERROR_WANT_READ, SSL_ERROR_WANT_WRITE:
                return .wantRead
            case SSL_ERROR_ZERO_RETURN:
                return .closeNotify
            default:
                return .failed(.protocolError(failureDescription()))
            }
        }
        return nil
    }

    /// Encrypts `plaintext` into the output (all of it: a memory BIO never refuses).
    func write(_ plaintext: ByteBuffer) -> TLSError? {
        plaintext.withUnsafeReadableBytes { bytes -> TLSError? in
            var offset = 0
            while offset < bytes.count {
                OpenSSLErrorQueue.clear()
                let chunk = min(bytes.count - offset, 1 << 30)
                let rc = SSL_write(ssl, bytes.baseAddress! + offset, Int32(chunk))
                guard rc > 0 else {
                    _ = SSL_get_error(ssl, rc)
                    return .protocolError(failureDescription())
                }
                offset += Int(rc)
            }
            return nil
        }
    }

    /// Queues our close_notify alert (if the session got far enough to send one).
    func shutdown() {
        OpenSSLErrorQueue.clear()
        if SSL_is_init_finished(ssl) == 1 {
            _ = SSL_shutdown(ssl)
        }
        OpenSSLErrorQueue.clear()
    }

    /// OpenSSL's queued errors, plus the certificate verification result when that failed.
    private func failureDescription() -> String {
        var text = OpenSSLErrorQueue.drain()
        let verify = SSL_get_verify_result(ssl)
        if verify != Int(X509_V_OK), let reason = X509_verify_cert_error_string(verify) {
            text += " (certificate verification: \(String(cString: reason)))"
        }
        return text
    }
}

// MARK: - What was agreed

extension TLSConnection {
    /// The ALPN protocol agreed, or nil if none was.
    var applicationProtocol: String? {
        var data: UnsafePointer<UInt8>?
        var length: UInt32 = 0
        SSL_get0_alpn_selected(ssl, &data, &length)
        guard let data, length > 0 else { return nil }
        return String(decoding: UnsafeBufferPointer(start: data, count: Int(length)), as: UTF8.self)
    }

    /// "TLSv1.2" or "TLSv1.3".
    var protocolVersion: String {
        String(cString: SSL_get_version(ssl))
    }

    /// The verified peer certificate's subject and SANs; nil if there is none or it was not verified.
    var peerIdentity: TLSPeerIdentity? {
        guard SSL_get_verify_result(ssl) == Int(X509_V_OK), let certificate = SSL_get0_peer_certificate(ssl) else {
            return nil
        }
        return PeerCertificate.identity(of: certificate)
    }
}
