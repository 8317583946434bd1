/// The actual-LRP transition guard (Diego's `ActualLRP.AllowsTransitionTo`, diego-bbs 3.1).
///
/// The key must match; then, from each state:
/// - UNCLAIMED → UNCLAIMED, CLAIMED, RUNNING (any instance key);
/// - CLAIMED → UNCLAIMED with an empty key, CLAIMED with the same key, RUNNING with any key,
///   CRASHED with the same key;
/// - RUNNING → UNCLAIMED with an empty key, CLAIMED/RUNNING/CRASHED with the same key;
/// - CRASHED → UNCLAIMED with an empty key, CLAIMED/RUNNING with the same key.
/// A record whose stored state is not one of the four allows nothing.
extension Diego_Bbs_ActualLRP {
    /// Whether this instance may move to `newState` for a caller holding `key` and `instanceKey`.
    public func allowsTransition(
        to newState: ActualLRPState, key: Diego_Bbs_ActualLRPKey, instanceKey: Diego_Bbs_ActualLRPInstanceKey
    ) -> Bool {
        guard actualLrpKey == key, let from = lrpState else { return false }
        let sameInstance = actualLrpInstanceKey == instanceKey
        switch (from, newState) {
        case (.unclaimed, .unclaimed), (.unclaimed, .claimed), (.unclaimed, .running):
            return true
        case (.unclaimed, .crashed):
            return false
        case (.claimed, .running):
            return true
        case (_, .unclaimed):
            return instanceKey.isEmpty
        case (.claimed, .claimed), (.claimed, .crashed):
            return sameInstance
        case (.running, _):
            return sameInstance
        case (.crashed, .claimed), (.crashed, .running):
            return sameInstance
        case (.crashed, .crashed):
            return false
        }
    }

    /// Throws `ModelError.invalidStateTransition` unless `allowsTransition(to:key:instanceKey:)`.
    public func validateTransition(
        to newState: ActualLRPState, key: Diego_Bbs_ActualLRPKey, instanceKey: Diego_Bbs_ActualLRPInstanceKey
    ) throws(ModelError) {
        guard allowsTransition(to: newState, key: key, instanceKey: instanceKey) else {
            let from = state.isEmpty ? "(no state)" : state
            throw ModelError.invalidTransition(from: from, to: newState.rawValue)
        }
    }
}
