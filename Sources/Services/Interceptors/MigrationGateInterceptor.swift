import Models
import RPC

/// Until the master has checked the data version and finished any migration, calls answer 503 with
/// `retry-after` (Diego answers 503 until its migrations are done); once shutting down, too.
///
/// The methods in `readableWhileMigrating` are answered throughout: `GetDataVersion` is how an operator
/// watches a migration.
public struct MigrationGateInterceptor: ServerInterceptor {
    private let state: ServingState
    private let readableWhileMigrating: Set<String>

    public init(state: ServingState, readableWhileMigrating: Set<String> = [BBSMethods.Admin.getDataVersion.path]) {
        self.state = state
        self.readableWhileMigrating = readableWhileMigrating
    }

    public func intercept(_ context: ServerContext, next: @Sendable (ServerContext) async throws -> Void) async throws {
        switch state.phase {
        case .serving:
            try await next(context)
        case .migrating(let reason):
            guard readableWhileMigrating.contains(context.method.path) else {
                throw RPCError.unavailable(reason: reason, retryAfterSeconds: 5)
            }
            try await next(context)
        case .standby, .starting:
            throw RPCError.unavailable(reason: "bbs is starting: checking the data version")
        case .shuttingDown:
            throw RPCError.unavailable(reason: "this bbs is shutting down; retry against the new master")
        }
    }
}
