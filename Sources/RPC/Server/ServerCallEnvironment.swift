import Logging
import NIOConcurrencyHelpers
import NIOCore

/// What every call of one server shares: the routes, the interceptor chain and the limits.
///
/// Exists so a stream handler is created with one reference instead of many copies.
final class ServerCallEnvironment: Sendable {
    let router: RPCRouter
    let interceptors: [any ServerInterceptor]
    let maxReceiveMessageSize: Int
    let maxSendMessageSize: Int
    let streamHighWatermark: Int
    let runsHandlersOnEventLoop: Bool
    let logger: Logger

    init(
        router: RPCRouter, interceptors: [any ServerInterceptor], maxReceiveMessageSize: Int,
        maxSendMessageSize: Int, streamHighWatermark: Int, runsHandlersOnEventLoop: Bool = false, logger: Logger
    ) {
        self.router = router
        self.interceptors = interceptors
        self.maxReceiveMessageSize = maxReceiveMessageSize
        self.maxSendMessageSize = maxSendMessageSize
        self.streamHighWatermark = streamHighWatermark
        self.runsHandlersOnEventLoop = runsHandlersOnEventLoop
        self.logger = logger
    }

    /// Runs the interceptors in order around the route's body.
    func run(_ route: ServerRoute, call: ServerCallHandle, context: ServerContext) async throws -> ByteBuffer? {
        if interceptors.isEmpty { return try await route.run(call, context) }
        let response = NIOLockedValueBox<ByteBuffer?>(nil)
        try await ServerInterceptors.chain(interceptors) { context in
            let framed = try await route.run(call, context)
            response.withLockedValue { $0 = framed }
        }(context)
        return response.withLockedValue { $0 }
    }

}

/// Facts about one connection that every call on it shows in its `ServerContext`.
///
/// Exists because the TLS identity arrives as a user event on the channel, while calls are
/// created by the HTTP/2 handler: both sides hold this box. Loop-confined.
final class ServerConnectionInfo {
    var peer: RPCPeerIdentity?
    var remoteAddress: String
    /// Set when handlers run on the connection's event loop.
    var executor: EventLoopTaskExecutor?

    init(remoteAddress: String) {
        self.remoteAddress = remoteAddress
    }
}
