/// A step in the chain every call passes through before its handler.
///
/// Exists for cross-cutting rules that the services issue adds: the `bbs-api-version` check,
/// the redirect to the master, 503 while migrating, metrics and access logs. An interceptor may
/// throw an `RPCError` instead of calling `next` (rejecting the call, e.g. with
/// `RPCError.redirect(toMaster:path:)`), or call `next` and observe how the call ended (it
/// returns when the handler returned and rethrows what the handler threw).
///
/// ```swift
/// struct AccessLog: ServerInterceptor {
///     func intercept(_ context: ServerContext, next: @Sendable (ServerContext) async throws -> Void) async throws {
///         let start = ContinuousClock.now
///         defer { log(context.method, ContinuousClock.now - start) }
///         try await next(context)
///     }
/// }
/// ```
public protocol ServerInterceptor: Sendable {
    func intercept(_ context: ServerContext, next: @Sendable (ServerContext) async throws -> Void) async throws
}

/// Composing interceptors into one call path.
///
/// Exists so the server and any interceptor that runs a chain of its own (the BBS's health-first
/// step) build it the same way.
public enum ServerInterceptors {
    /// `body` wrapped by `interceptors`, the first outermost.
    public static func chain(
        _ interceptors: [any ServerInterceptor], around body: @escaping @Sendable (ServerContext) async throws -> Void
    ) -> @Sendable (ServerContext) async throws -> Void {
        var next = body
        for interceptor in interceptors.reversed() {
            let inner = next
            next = { context in try await interceptor.intercept(context, next: inner) }
        }
        return next
    }
}
