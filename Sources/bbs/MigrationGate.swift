import RPC
import Synchronization

/// Answers every call with 503 (`RPCError.unavailable`) while a migration runs, as Diego does until its
/// migrations are done; lets calls through once it opens.
final class MigrationGate: ServerInterceptor {
    private let reason = Mutex<String?>(nil)

    /// Starts rejecting calls with `reason`, e.g. "migrating data version 1 to 3".
    func close(reason: String) {
        self.reason.withLock { $0 = reason }
    }

    func open() {
        reason.withLock { $0 = nil }
    }

    var isOpen: Bool { reason.withLock { $0 == nil } }

    func intercept(_ context: ServerContext, next: @Sendable (ServerContext) async throws -> Void) async throws {
        if let reason = reason.withLock({ $0 }) {
            throw RPCError.unavailable(reason: reason)
        }
        try await next(context)
    }
}
