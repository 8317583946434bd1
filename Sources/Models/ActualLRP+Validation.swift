/// Diego's validity rules for actual LRPs (models/actual_lrp.go `Validate`, diego-bbs 2.2):
/// which keys each state carries, so the store never writes an impossible instance.
extension Diego_Bbs_ActualLRPKey {
    func validate(into v: inout Validator) {
        v.check(!processGuid.isEmpty, "process_guid", "is required")
        v.check(index >= 0, "index", "must not be negative")
        v.check(!domain.isEmpty, "domain", "is required")
    }
}

extension Diego_Bbs_ActualLRPInstanceKey {
    func validate(into v: inout Validator) {
        v.check(!instanceGuid.isEmpty, "instance_guid", "is required")
        v.check(!cellID.isEmpty, "cell_id", "is required")
    }
}

extension Diego_Bbs_ActualLRP {
    /// Throws `ModelError.invalidRecord` when the instance breaks its state's invariants:
    /// UNCLAIMED has no instance key and no net info; CLAIMED has an instance key, no net info and
    /// no placement error; RUNNING has an instance key and an address, no placement error; CRASHED has
    /// no instance key, no net info, no placement error; `since` is set.
    public func validate() throws(ModelError) {
        var v = Validator()
        actualLrpKey.validate(into: &v)
        v.check(since != 0, "since", "must be set")
        let hasNetInfo = !actualLrpNetInfo.address.isEmpty || !actualLrpNetInfo.ports.isEmpty
        switch lrpState {
        case .unclaimed:
            v.check(actualLrpInstanceKey.isEmpty, "actual_lrp_instance_key", "must be empty when UNCLAIMED")
            v.check(!hasNetInfo, "actual_lrp_net_info", "must be empty when UNCLAIMED")
        case .claimed:
            actualLrpInstanceKey.validate(into: &v)
            v.check(!hasNetInfo, "actual_lrp_net_info", "must be empty when CLAIMED")
            v.check(placementError.isEmpty, "placement_error", "must be empty when CLAIMED")
        case .running:
            actualLrpInstanceKey.validate(into: &v)
            v.check(!actualLrpNetInfo.address.isEmpty, "address", "is required when RUNNING")
            v.check(placementError.isEmpty, "placement_error", "must be empty when RUNNING")
        case .crashed:
            v.check(actualLrpInstanceKey.isEmpty, "actual_lrp_instance_key", "must be empty when CRASHED")
            v.check(!hasNetInfo, "actual_lrp_net_info", "must be empty when CRASHED")
            v.check(placementError.isEmpty, "placement_error", "must be empty when CRASHED")
        case nil:
            v.fail("state", "must be UNCLAIMED, CLAIMED, RUNNING or CRASHED, not \"\(state)\"")
        }
        try v.finish()
    }
}
