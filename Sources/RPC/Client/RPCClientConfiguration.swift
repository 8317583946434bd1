import HTTP2
import TLS

/// Where and how an `RPCClient` connects, and its policies for redirects, retries and size.
///
/// Exists so the CLI, the etcd backend and tests configure a client with one value.
public struct RPCClientConfiguration: Sendable {
    public enum Security: Sendable {
        /// `https://`: mutual TLS with ALPN h2; `serverName` is verified (and sent as SNI unless an IP).
        case mutualTLS(TLSConfiguration, serverName: String?)
        /// h2c with prior knowledge (e.g. an etcd without TLS).
        case plaintext
    }

    public var host: String
    public var port: Int
    public var security: Security
    public var http2 = HTTP2Settings()
    /// Connections to open and spread calls over.
    public var connections = 1
    /// How many 307 redirects (to the master) a call follows before failing.
    public var maxRedirects = 3
    /// Total time a call may spend retrying 503 answers, with jittered exponential backoff.
    public var retryBudget: Duration = .seconds(10)
    public var initialBackoff: Duration = .milliseconds(50)
    public var maxBackoff: Duration = .seconds(2)
    public var connectTimeout: Duration = .seconds(5)
    public var maxReceiveMessageSize = 64 * 1024 * 1024
    public var threads = 1

    public init(host: String, port: Int, security: Security) {
        self.host = host
        self.port = port
        self.security = security
    }

    /// Parses `https://host:port` (mutual TLS) or `http://host:port` (h2c).
    /// - Throws: `RPCError` INVALID_ARGUMENT for a malformed URL, or `https://` without `tls`.
    public init(url: String, tls: TLSConfiguration?) throws {
        guard let target = ClientTarget(url: url) else {
            throw RPCError(code: .invalidArgument, message: "not an http:// or https:// URL with host and port: \(url)")
        }
        if target.usesTLS {
            guard let tls else {
                throw RPCError(code: .invalidArgument, message: "\(url) needs a TLS configuration (CA, cert, key)")
            }
            self.init(host: target.host, port: target.port, security: .mutualTLS(tls, serverName: nil))
        } else {
            self.init(host: target.host, port: target.port, security: .plaintext)
        }
    }
}

/// Per-call options.
public struct CallOptions: Sendable {
    /// The deadline sent as `grpc-timeout` and enforced locally.
    public var timeout: Duration?
    /// Request metadata.
    public var metadata: Metadata
    /// Whether to follow a redirect to the master and retry a 503 (on by default).
    public var followRedirects = true
    public var retryUnavailable = true

    public init(timeout: Duration? = nil, metadata: Metadata = [:]) {
        self.timeout = timeout
        self.metadata = metadata
    }
}

/// A response with its metadata, for callers that need the headers or trailers.
public struct ClientResponse<Message: Sendable>: Sendable {
    public var message: Message
    public var initialMetadata: Metadata
    public var trailingMetadata: Metadata

    public init(message: Message, initialMetadata: Metadata, trailingMetadata: Metadata) {
        self.message = message
        self.initialMetadata = initialMetadata
        self.trailingMetadata = trailingMetadata
    }
}
