import NIOCore
import TLS
import HTTP2

/// How an `RPCServer` listens and what it enforces.
///
/// Exists so executables map `--listen-address`, `--ca-file`, `--cert-file`, `--key-file` and
/// `--insecure-plaintext` onto one value.
public struct RPCServerConfiguration: Sendable {
    public enum Security: Sendable {
        /// Mutual TLS: client certificate required and verified against the CA.
        case mutualTLS(TLSConfiguration)
        /// h2c with prior knowledge; only behind an explicit `--insecure-plaintext`.
        case insecurePlaintext
    }

    public var host: String
    /// 0 picks a free port (see `RPCServer.localPort`).
    public var port: Int
    public var security: Security
    public var http2 = HTTP2Settings()
    /// Larger requests end with RESOURCE_EXHAUSTED.
    public var maxReceiveMessageSize = 4 * 1024 * 1024
    /// Larger responses end with RESOURCE_EXHAUSTED.
    public var maxSendMessageSize = 64 * 1024 * 1024
    /// Event loop threads (default: one per core).
    public var threads = System.coreCount

    public init(host: String, port: Int, security: Security) {
        self.host = host
        self.port = port
        self.security = security
    }
}

/// The gRPC server: accepts connections, runs TLS and HTTP/2, and dispatches calls via the router
/// through the interceptors; serves `grpc.health.v1.Health` and server reflection itself.
public final class RPCServer: Sendable {
    public init(
        configuration: RPCServerConfiguration, router: RPCRouter, interceptors: [any ServerInterceptor] = []
    ) { fatalError("implemented in the RPC-layer issue") }

    /// Binds and starts accepting connections.
    public func start() async throws { fatalError("implemented in the RPC-layer issue") }

    /// The bound port (useful with port 0).
    public var localPort: Int { fatalError("implemented in the RPC-layer issue") }

    /// The health service, to change serving status per service ("" is the whole server).
    public var health: HealthStatusBoard { fatalError("implemented in the RPC-layer issue") }

    /// GOAWAY to every connection, lets calls in flight finish (up to `timeout`), then closes.
    public func shutdownGracefully(timeout: Duration = .seconds(10)) async {
        fatalError("implemented in the RPC-layer issue")
    }
}

/// The serving status per service that `grpc.health.v1.Health` reports (Check and Watch).
public final class HealthStatusBoard: Sendable {
    public enum ServingStatus: Int, Sendable { case unknown = 0, serving = 1, notServing = 2, serviceUnknown = 3 }

    public func setStatus(_ status: ServingStatus, forService service: String) {
        fatalError("implemented in the RPC-layer issue")
    }
}
