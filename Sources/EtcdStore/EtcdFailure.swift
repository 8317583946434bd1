import RPC
import Store

/// What one failed attempt of an etcd call tells the failover logic.
///
/// Exists because the answer to "may I send this again to another member?" depends on whether
/// the request could have been applied, and only the error says that.
enum EtcdFailure: Sendable, Equatable {
    /// The request never reached etcd (no connection to the member), or etcd refused it before
    /// proposing it (no leader). Safe to send anywhere again.
    case notApplied(String)
    /// The call broke after the request may have been sent (connection lost, deadline, etcd's
    /// "request timed out"): it may or may not have been applied.
    case outcomeUnknown(String)
    /// etcd answered and retrying elsewhere will not change the answer.
    case final(StoreError)

    /// Classifies an error thrown by one attempt.
    static func classify(_ error: any Error) -> EtcdFailure {
        if let error = error as? StoreError { return .final(error) }
        if error is CancellationError { return .final(.backendFailure("etcd call cancelled")) }
        guard let error = error as? RPCError else {
            // A transport error from below the RPC layer: we cannot tell how far the request got.
            return .outcomeUnknown(String(describing: error))
        }
        let message = error.message
        switch error.code {
        case .unavailable:
            if message.contains("cannot load the client TLS configuration") {
                return .final(.backendFailure("etcd client TLS: \(message)"))
            }
            if Self.notAppliedMessages.contains(where: { message.localizedCaseInsensitiveContains($0) }) {
                return .notApplied(error.description)
            }
            return .outcomeUnknown(error.description)
        case .deadlineExceeded, .cancelled, .aborted, .internal, .unknown:
            // etcd itself answers these only for internal faults; our client uses them for broken
            // streams and deadlines. Either way another member may do better.
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

    /// Parts of messages that mean the request was refused before anything was proposed or sent.
    static let notAppliedMessages = [
        "etcdserver: no leader",
        "etcdserver: not capable",
        "etcdserver: too many requests",
        // What the RPC client says when no request was written (connect failures, a stream the
        // server refused, a connection that went away before the stream opened).
        "cannot connect",
        "connection refused",
        "closed while connecting",
        "cannot open streams",
        "REFUSED_STREAM",
    ]

    var message: String {
        switch self {
        case .notApplied(let message), .outcomeUnknown(let message): message
        case .final(let error): error.message
        }
    }
}
