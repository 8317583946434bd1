import Synchronization

/// What a handler and the interceptors know about the call they serve.
///
/// Exists so services read request metadata, the verified client identity and the deadline, and
/// add response metadata, without seeing HTTP/2. A reference type: interceptors and the handler
/// share one context, and what they add to `trailingMetadata` goes out with the status.
public final class ServerContext: @unchecked Sendable {
    /// The method being called.
    public let method: MethodDescriptor
    /// Request metadata (custom headers; reserved and pseudo headers removed; `-bin` decoded).
    public let requestMetadata: Metadata
    /// The verified client certificate's identity; nil on an `--insecure-plaintext` server.
    public let peer: RPCPeerIdentity?
    /// The remote socket address, e.g. `127.0.0.1:53422`.
    public let remoteAddress: String
    /// When the call's `grpc-timeout` expires; nil if the client set none.
    public let deadline: ContinuousClock.Instant?

    // Written by handlers, read by the transport when it answers. A Mutex, stored inline: no
    // lock object allocated per call.
    private let metadata = Mutex<(initial: Metadata, trailing: Metadata)>((Metadata(), Metadata()))

    public init(
        method: MethodDescriptor, requestMetadata: Metadata, peer: RPCPeerIdentity?,
        remoteAddress: String, deadline: ContinuousClock.Instant?
    ) {
        self.method = method
        self.requestMetadata = requestMetadata
        self.peer = peer
        self.remoteAddress = remoteAddress
        self.deadline = deadline
    }

    /// Metadata sent with the response headers (before the first message). Changes after the
    /// headers went out are ignored.
    public var initialMetadata: Metadata {
        get { metadata.withLock { $0.initial } }
        set { metadata.withLock { $0.initial = newValue } }
    }

    /// Metadata sent with the status in the trailers.
    public var trailingMetadata: Metadata {
        get { metadata.withLock { $0.trailing } }
        set { metadata.withLock { $0.trailing = newValue } }
    }
}
