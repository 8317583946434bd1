import Models
import Testing

@Suite("Actual LRP transitions")
struct ActualLRPTransitionTests {
    enum Caller: String, CaseIterable, CustomTestStringConvertible {
        case empty, same, other
        var key: Diego_Bbs_ActualLRPInstanceKey {
            switch self {
            case .empty: return Diego_Bbs_ActualLRPInstanceKey()
            case .same: return .init(instanceGuid: "ig-1", cellID: "cell-1")
            case .other: return .init(instanceGuid: "ig-2", cellID: "cell-2")
            }
        }
        var testDescription: String { rawValue }
    }

    /// Diego's AllowsTransitionTo, written out as a table: (from, to) → which callers may do it.
    static let table: [ActualLRPState: [ActualLRPState: Set<Caller>]] = [
        .unclaimed: [
            .unclaimed: [.empty, .same, .other], .claimed: [.empty, .same, .other],
            .running: [.empty, .same, .other], .crashed: [],
        ],
        .claimed: [.unclaimed: [.empty], .claimed: [.same], .running: [.empty, .same, .other], .crashed: [.same]],
        .running: [.unclaimed: [.empty], .claimed: [.same], .running: [.same], .crashed: [.same]],
        // A crashed record has no instance key, so "same" means the empty key here.
        .crashed: [.unclaimed: [.empty], .claimed: [.empty], .running: [.empty], .crashed: []],
    ]

    @Test("the guard follows Diego's table", arguments: ActualLRPState.allCases, ActualLRPState.allCases)
    func guardTable(from: ActualLRPState, to: ActualLRPState) throws {
        let lrp = Fixtures.actualLRP(from)
        for caller in Caller.allCases {
            let expected = Self.table[from]?[to]?.contains(caller) ?? false
            let allowed = lrp.allowsTransition(to: to, key: lrp.actualLrpKey, instanceKey: caller.key)
            #expect(allowed == expected, "\(from) -> \(to) by \(caller)")
        }
    }

    @Test("a different key is always refused", arguments: ActualLRPState.allCases)
    func otherKey(from: ActualLRPState) {
        let lrp = Fixtures.actualLRP(from)
        var key = lrp.actualLrpKey
        key.index = 1
        for to in ActualLRPState.allCases {
            #expect(!lrp.allowsTransition(to: to, key: key, instanceKey: lrp.actualLrpInstanceKey))
        }
    }

    @Test("a refused transition throws InvalidStateTransition naming both states")
    func refusedMessage() {
        let lrp = Fixtures.actualLRP(.running)
        let error = #expect(throws: ModelError.self) {
            try lrp.validateTransition(to: .claimed, key: lrp.actualLrpKey, instanceKey: Caller.other.key)
        }
        #expect(error?.kind == .invalidStateTransition)
        #expect(error?.message == "Cannot transition from RUNNING to CLAIMED")
    }

    @Test("an unknown stored state allows nothing")
    func unknownState() {
        var lrp = Fixtures.actualLRP(.unclaimed)
        lrp.state = "EXPLODED"
        #expect(lrp.lrpState == nil)
        #expect(!lrp.allowsTransition(to: .unclaimed, key: lrp.actualLrpKey, instanceKey: Caller.empty.key))
    }

    @Test("each state's invariants are checked", arguments: ActualLRPState.allCases)
    func invariants(state: ActualLRPState) throws {
        try Fixtures.actualLRP(state).validate()
        var broken = Fixtures.actualLRP(state)
        switch state {
        case .unclaimed, .crashed: broken.actualLrpInstanceKey = Caller.same.key
        case .claimed: broken.actualLrpNetInfo.address = "10.0.0.1"
        case .running: broken.actualLrpNetInfo.address = ""
        }
        #expect(throws: ModelError.self) { try broken.validate() }
    }
}
