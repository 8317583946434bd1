import RPC
import Store

/// Only the master serves: on any other instance every call is answered with the redirect to the master
/// named in the lock record (`RPCError.redirect`), or with 503 while no master is known.
///
/// Asks the election at each call, so a master whose lock ran out (paused past its TTL, partitioned)
/// stops serving at once, before its renewal timer has even fired.
public struct MasterInterceptor: ServerInterceptor {
    private let election: MasterElection

    public init(election: MasterElection) {
        self.election = election
    }

    public func intercept(_ context: ServerContext, next: @Sendable (ServerContext) async throws -> Void) async throws {
        switch election.role {
        case .master:
            try await next(context)
        case .standby(let master?) where master.id != election.owner.id:
            throw RPCError.redirect(toMaster: master.url, path: context.method.path)
        case .standby:
            throw RPCError.unavailable(reason: "no bbs master is elected yet; retry shortly")
        case .stopped:
            throw RPCError.unavailable(reason: "this bbs is shutting down; retry against the new master")
        }
    }
}
