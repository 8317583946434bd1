/// The states of an actual LRP instance. Diego stores `ActualLRP.state` (field 6) as a string,
/// so the wire keeps the string; this enum is the typed view of it.
public enum ActualLRPState: String, Sendable, CaseIterable {
    case unclaimed = "UNCLAIMED"
    case claimed = "CLAIMED"
    case running = "RUNNING"
    case crashed = "CRASHED"
}

extension Diego_Bbs_ActualLRP {
    /// The typed state, or nil when the stored string is not one of Diego's four.
    public var lrpState: ActualLRPState? {
        get { ActualLRPState(rawValue: state) }
        set { state = newValue?.rawValue ?? "" }
    }
}

extension Diego_Bbs_ActualLRPInstanceKey {
    /// Diego's `ActualLRPInstanceKey.Empty()`: no instance guid and no cell.
    public var isEmpty: Bool { instanceGuid.isEmpty && cellID.isEmpty }

    /// An instance key for `instanceGuid` on `cellID`.
    public init(instanceGuid: String, cellID: String) {
        self.init()
        self.instanceGuid = instanceGuid
        self.cellID = cellID
    }
}

extension Diego_Bbs_ActualLRPKey {
    /// The key of instance `index` of `processGuid` in `domain`.
    public init(processGuid: String, index: Int32, domain: String) {
        self.init()
        self.processGuid = processGuid
        self.index = index
        self.domain = domain
    }
}
