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
