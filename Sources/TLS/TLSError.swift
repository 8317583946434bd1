/// Why a TLS context could not be built or a TLS connection failed, in OpenSSL's own words.
///
/// Exists so a refused handshake (unknown CA, expired certificate, no ALPN, old protocol) reaches
/// the pipeline and the logs as one readable value rather than a bare OpenSSL error code.
public struct TLSError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The broad reason; `message` has the detail.
    public enum Kind: Sendable, Equatable {
        /// A certificate, key, CA file, cipher list or version setting was unusable.
        case configuration
        /// The TLS handshake failed (OpenSSL refused the peer or the peer refused us).
        case handshakeFailed
        /// The handshake finished but no application protocol (ALPN) was agreed.
        case noApplicationProtocol
        /// The handshake finished but there is no verified peer certificate.
        case noPeerCertificate
        /// Decrypting or encrypting application data failed after the handshake.
        case protocolError
        /// The connection closed before the handshake finished.
        case closedDuringHandshake
        /// A write was attempted on a connection that is closing or closed.
        case closed
    }

    public var kind: Kind
    public var message: String

    public init(kind: Kind, message: String) {
        self.kind = kind
        self.message = message
    }

    public var description: String { "TLSError.\(kind): \(message)" }
}

// MARK: - Factories

extension TLSError {
    static func configuration(_ message: String) -> TLSError {
        TLSError(kind: .configuration, message: message)
    }

    static func handshakeFailed(_ openSSL: String) -> TLSError {
        TLSError(kind: .handshakeFailed, message: "TLS handshake failed: \(openSSL)")
    }

    static func noApplicationProtocol(offered: [String]) -> TLSError {
        TLSError(
            kind: .noApplicationProtocol,
            message: "no application protocol (ALPN) agreed; required one of \(offered)")
    }

    static let noPeerCertificate = TLSError(
        kind: .noPeerCertificate, message: "the peer presented no verified certificate")

    static func protocolError(_ openSSL: String) -> TLSError {
        TLSError(kind: .protocolError, message: "TLS connection failed: \(openSSL)")
    }

    static let closedDuringHandshake = TLSError(
        kind: .closedDuringHandshake, message: "the connection closed before the TLS handshake finished")

    static let closed = TLSError(kind: .closed, message: "the TLS connection is closing or closed")
}
