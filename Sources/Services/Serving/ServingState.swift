import Synchronization

/// Where this bbs instance is on its way from start to serving, shared by the interceptors (which
/// answer 503 or redirect accordingly), the health service and `GetDataVersion`.
///
/// Exists so one value says what the whole process is doing; the composition root moves it forward
/// (standby → starting → migrating → serving → shutting down) and every reader sees the same phase.
public final class ServingState: Sendable {
    public enum Phase: Sendable, Equatable, CustomStringConvertible {
        /// Not (yet) the master: calls are redirected to the master.
        case standby
        /// The master lock is ours; the data version is being checked.
        case starting
        /// The master is migrating the data; writes answer 503.
        case migrating(reason: String)
        /// Ready: every call is served.
        case serving
        /// SIGTERM arrived: calls in flight finish, new ones answer 503.
        case shuttingDown

        public var description: String {
            switch self {
            case .standby: "standby"
            case .starting: "starting"
            case .migrating(let reason): reason
            case .serving: "serving"
            case .shuttingDown: "shutting down"
            }
        }
    }

    private let current = Mutex<Phase>(.standby)
    private let observers = Mutex<[@Sendable (Phase) -> Void]>([])

    public init() {}

    /// The phase now.
    public var phase: Phase { current.withLock { $0 } }

    /// Moves to `phase` and tells the observers (in the order they were added). Once shutting down, the
    /// phase never changes again.
    public func enter(_ phase: Phase) {
        let changed = current.withLock { current -> Bool in
            guard current != phase, current != .shuttingDown else { return false }
            current = phase
            return true
        }
        guard changed else { return }
        for observer in observers.withLock({ $0 }) { observer(phase) }
    }

    /// Calls `observer` with the current phase now and with every change.
    public func observe(_ observer: @escaping @Sendable (Phase) -> Void) {
        observers.withLock { $0.append(observer) }
        observer(phase)
    }

    /// Whether every call is served.
    public var isServing: Bool { phase == .serving }

    /// Whether a migration is running.
    public var isMigrating: Bool {
        if case .migrating = phase { return true }
        return false
    }
}
