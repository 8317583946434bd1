import RPC
import Store

/// What one failed attempt of an etcd call tells the failover logic.
///
/// Exists because the answer to "may I send this again to another member?" depends on whether
/// the request could have been applied, and only the error says that. It is decided from the RPC
/// client's `RPCError.delivery` (how far the request got) and, for an answer from etcd, the gRPC
/// code, never from our own client's messages:
///
/// | delivery | code | failure |
/// |---|---|---|
/// | `notSent` | any | `notApplied`: no member saw it |
/// | `maybeSent` | any | `outcomeUnknown` |
/// | `cannotSend` | any | `final`: this client cannot reach any member (e.g. TLS files that do not load) |
/// | `answered` | one of etcd's refusals before proposing (`refusedBeforeProposing`) | `notApplied` |
/// | `answered` | UNAVAILABLE, DEADLINE_EXCEEDED, CANCELLED, ABORTED, INTERNAL, UNKNOWN | `outcomeUnknown` |
/// | `answered` | INVALID_ARGUMENT, OUT_OF_RANGE, FAILED_PRECONDITION, ALREADY_EXISTS, NOT_FOUND | `final` invalid argument |
/// | `answered` | RESOURCE_EXHAUSTED, PERMISSION_DENIED, UNAUTHENTICATED, UNIMPLEMENTED, DATA_LOSS | `final` backend failure |
enum EtcdFailure: Sendable, Equatable {
    /// The request never reached etcd (no connection to the member), or etcd refused it before
    /// proposing it (no leader). Safe to send anywhere again.
    case notApplied(String)
    /// The call broke after the request may have been sent (connection lost, deadline, etcd's
    /// "request timed out"): it may or may not have been applied.
    case outcomeUnknown(String)
    /// etcd answered, or the client cannot send at all: retrying elsewhere will not change it.
    case final(StoreError)

    /// Classifies an error thrown by one attempt.
    static func classify(_ error: any Error) -> EtcdFailure {
        if let error = error as? StoreError { return .final(error) }
        if error is CancellationError { return .final(.backendFailure("etcd call cancelled")) }
        guard let error = error as? RPCError else {
            // A transport error from below the RPC layer: we cannot tell how far the request got.
            return .outcomeUnknown(String(describing: error))
        }
        switch error.delivery {
        case .notSent: return .notApplied(error.description)
        case .maybeSent: return .outcomeUnknown(error.description)
        case .cannotSend: return .final(.backendFailure("the etcd client cannot send requests: \(error.description)"))
        case .answered: return classifyAnswer(error)
        }
    }

    /// An answer from etcd: its code says what it means, and etcd's documented refusals say the
    /// request was turned away before anything was proposed.
    private static func classifyAnswer(_ error: RPCError) -> EtcdFailure {
        let message = error.message
        if refusedBeforeProposing.contains(where: { $0.code == error.code && $0.message == message }) {
            return .notApplied(error.description)
        }
        switch error.code {
        case .unavailable, .deadlineExceeded, .cancelled, .aborted, .internal, .unknown:
            // etcd's "request timed out", "leader changed" and "server stopped" come after the
            // proposal; the others it answers only for internal faults. Another member may do better.
            return .outcomeUnknown(error.description)
        case .invalidArgument, .outOfRange, .failedPrecondition, .alreadyExists, .notFound:
            return .final(.invalidArgument("etcd refused the request: \(message)"))
        case .resourceExhausted:
            return .final(.backendFailure("etcd is out of a resource (\(message)); see --quota-backend-bytes"))
        case .permissionDenied, .unauthenticated:
            return .final(.backendFailure("etcd refused access (\(message)); check its auth and client certificate"))
        case .unimplemented:
            return .final(.backendFailure("etcd does not implement the call (\(message)); etcd 3.4 or newer is needed"))
        case .ok, .dataLoss:
            return .final(.backendFailure("etcd failed: \(error.description)"))
        }
    }

    /// etcd's answers (code and exact message, as its `api/v3rpc/rpctypes/error.go` defines them)
    /// for a request it turned away before proposing it to raft: nothing was applied, and another
    /// member (or the same one a moment later) may accept it.
    static let refusedBeforeProposing: [(code: RPCStatus.Code, message: String)] = [
        (.unavailable, "etcdserver: no leader"),
        (.unavailable, "etcdserver: not capable"),
        (.unavailable, "etcdserver: unhealthy cluster"),
        (.unavailable, "etcdserver: rpc not supported for learner"),
        (.resourceExhausted, "etcdserver: too many requests"),
    ]

    var message: String {
        switch self {
        case .notApplied(let message), .outcomeUnknown(let message): message
        case .final(let error): error.message
        }
    }
}
