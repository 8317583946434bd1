/// The task state machine's guard (Diego's `Task.ValidateTransitionTo`, diego-bbs 3.4):
/// Running only from Pending, Completed only from Running, Resolving only from Completed.
///
/// Cancel (Pending or Running → Completed) and Reject (→ Pending) bypass this guard in Diego
/// and so in the task service; `canCancel` and `canReject` state their own rules.
extension Diego_Bbs_Task {
    /// Whether the guard lets a task in `from` move to `to`.
    public static func allowsTransition(from: State, to: State) -> Bool {
        switch to {
        case .running: return from == .pending
        case .completed: return from == .running
        case .resolving: return from == .completed
        default: return false
        }
    }

    /// Throws `ModelError.invalidStateTransition` ("Cannot transition from Pending to Completed")
    /// unless this task may move to `to`.
    public func validateTransition(to: State) throws(ModelError) {
        guard Self.allowsTransition(from: state, to: to) else {
            throw ModelError.invalidTransition(from: state.diegoName, to: to.diegoName)
        }
    }

    /// Cancel and the deprecated Fail complete a task that is Pending or Running.
    public var canCancel: Bool { state == .pending || state == .running }

    /// Reject sends a Pending or Running task back to Pending (or fails it after too many rejections).
    public var canReject: Bool { state == .pending || state == .running }

    /// Delete removes only a Resolving task.
    public var canDelete: Bool { state == .resolving }
}

extension Diego_Bbs_Task.State {
    /// The state's name as Diego's messages spell it (`Pending`, `Running`, ...).
    public var diegoName: String {
        switch self {
        case .invalid: return "Invalid"
        case .pending: return "Pending"
        case .running: return "Running"
        case .completed: return "Completed"
        case .resolving: return "Resolving"
        case .UNRECOGNIZED(let value): return "UNRECOGNIZED(\(value))"
        }
    }
}
