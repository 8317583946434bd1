import RPC

/// The outermost step of the BBS chain: health and reflection go straight to their handlers, every other
/// call through `inner` in order.
///
/// Exists because every instance (standby, migrating, shutting down) must answer health checks and
/// reflection itself: they are how load balancers and tools see the instance, so they are never
/// redirected, gated or version-checked.
public struct StandardServicesFirst: ServerInterceptor {
    /// The services that bypass the BBS chain.
    public static let exemptServices: Set<String> = [
        "grpc.health.v1.Health", "grpc.reflection.v1.ServerReflection", "grpc.reflection.v1alpha.ServerReflection",
    ]

    private let inner: [any ServerInterceptor]

    public init(then inner: [any ServerInterceptor]) {
        self.inner = inner
    }

    public func intercept(_ context: ServerContext, next: @Sendable (ServerContext) async throws -> Void) async throws {
        if Self.exemptServices.contains(context.method.service) {
            try await next(context)
            return
        }
        try await withoutActuallyEscaping(next) { next in
            try await ServerInterceptors.chain(inner, around: next)(context)
        }
    }
}
