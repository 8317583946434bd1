import HTTP2

/// Where and how an `RPCClient` connects, and its policies for redirects, retries and size.
///
/// Exists so the CLI, the etcd backend and tests configure a client with one value.
public struct RPCClientConfiguration: Sendable {
    /// How the client's connections are secured.
    public enum Security: Sendable {
        /// `https://`: mutual TLS with ALPN h2, presenting the certificate of these files and
        /// verifying the server's against their CA; `serverName` is verified (and sent as SNI
        /// unless an IP), the target's host when nil.
        case mutualTLS(RPCTLSConfiguration, serverName: String?)
        /// h2c with prior knowledge (e.g. an etcd without TLS).
        case plaintext
    }

    /// The server's host name or IP address.
    public var host: String
    /// The server's port.
    public var port: Int
    /// Mutual TLS or h2c.
    public var security: Security
    /// HTTP/2 settings and stream watermarks of the client's connections.
    public var http2 = HTTP2Settings()
    /// Connections to open and spread calls over.
    public var connections = 1
    /// How many 307 redirects (to the master) a call follows before failing.
    public var maxRedirects = 3
    /// Total time a call may spend retrying 503 answers, with jittered exponential backoff.
    public var retryBudget: Duration = .seconds(10)
    /// The first pause before retrying a 503; it doubles up to `maxBackoff`.
    public var initialBackoff: Duration = .milliseconds(50)
    /// The longest pause between two 503 retries.
    public var maxBackoff: Duration = .seconds(2)
    /// How long one TCP connect may take before the call fails (not sent).
    public var connectTimeout: Duration = .seconds(5)
    /// Larger response messages end the call with RESOURCE_EXHAUSTED.
    public var maxReceiveMessageSize = 64 * 1024 * 1024
    /// Event loop threads of the client.
    public var threads = 1

    /// A client of `host:port` with the default policies.
    public init(host: String, port: Int, security: Security) {
        self.host = host
        self.port = port
        self.security = security
    }

    /// Parses `https://host:port` (mutual TLS) or `http://host:port` (h2c).
    /// - Throws: `RPCError` INVALID_ARGUMENT (`.cannotSend`) for a malformed URL, or `https://`
    ///   without `tls`.
    public init(url: String, tls: RPCTLSConfiguration?) throws {
        guard let target = ClientTarget(url: url) else {
            throw RPCError.client(
                .invalidArgument, "not an http:// or https:// URL with host and port: \(url)", .cannotSend)
        }
        if target.usesTLS {
            guard let tls else {
                throw RPCError.client(.invalidArgument, "\(url) needs a TLS configuration (CA, cert, key)", .cannotSend)
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
