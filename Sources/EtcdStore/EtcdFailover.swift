import Store

/// The failover decisions of one etcd call: which member to try next after a failure, when to
/// pause, when to give up, and whether an earlier attempt may already have been applied.
///
/// Exists as a plain struct that does no I/O so the policy is tested without etcd. The policy:
///
/// - A call starts on the member that last answered and, on a retryable failure, moves to the
///   next member in the configured order; after every member failed once it pauses
///   (`roundPause`) and goes round again, until `budget` is spent. Rounds matter because a dead
///   leader leaves the others answering "no leader" for about one election timeout.
/// - Reads (Range) are idempotent: every retryable failure is retried.
/// - Writes are retried too, with `outcomeUnknown` remembered: the backend sends every
///   conditional write so that a repeat cannot apply twice (its compare fails once the first
///   attempt landed), and after an unknown outcome it reads back the keys in the Txn's failure
///   branch to tell "my earlier attempt applied" from "someone else got there first".
///   Unconditional puts and deletes are idempotent in their effect: repeating one leaves the key
///   as one application would (only a concurrent writer to the same key in that window is
///   overwritten, as if our write had arrived later; bbs guards contended keys with conditions).
/// - `final` failures (etcd answered with a definite refusal) end the call at once.
struct EtcdFailover: Sendable {
    /// What the caller does next.
    enum Action: Equatable, Sendable {
        /// Send the call to this endpoint, after sleeping `pause` when given.
        case attempt(endpoint: Int, pause: Duration?)
        /// Give up with this error.
        case fail(StoreError)
    }

    let endpointCount: Int
    let roundPause: Duration
    let deadline: ContinuousClock.Instant
    private(set) var endpoint: Int
    /// Whether an earlier attempt may have been applied by etcd.
    private(set) var outcomeUnknown = false
    private(set) var attempts = 1
    private var failedInRound = 0
    private var lastFailure = ""

    /// Starts a call on `preferred` (the member that answered last).
    init(endpointCount: Int, preferred: Int, budget: Duration, roundPause: Duration, now: ContinuousClock.Instant) {
        self.endpointCount = max(endpointCount, 1)
        self.endpoint = (0..<max(endpointCount, 1)).contains(preferred) ? preferred : 0
        self.roundPause = roundPause
        self.deadline = now.advanced(by: budget)
    }

    /// The attempt on `endpoint` failed with `failure`.
    mutating func failed(_ failure: EtcdFailure, now: ContinuousClock.Instant) -> Action {
        switch failure {
        case .final(let error):
            return .fail(error)
        case .outcomeUnknown(let message):
            outcomeUnknown = true
            lastFailure = message
        case .notApplied(let message):
            lastFailure = message
        }
        failedInRound += 1
        endpoint = (endpoint + 1) % endpointCount
        var pause: Duration? = nil
        if failedInRound >= endpointCount {
            failedInRound = 0
            pause = roundPause
        }
        if now.advanced(by: pause ?? .zero) >= deadline {
            let members = endpointCount == 1 ? "the etcd member" : "all \(endpointCount) etcd members"
            return .fail(
                .backendFailure("\(members) failed for this call (\(attempts) attempts); last error: \(lastFailure)"))
        }
        attempts += 1
        return .attempt(endpoint: endpoint, pause: pause)
    }
}
