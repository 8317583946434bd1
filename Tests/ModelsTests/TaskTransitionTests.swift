import Models
import Testing

@Suite("Task transitions")
struct TaskTransitionTests {
    typealias State = Diego_Bbs_Task.State
    static let states: [State] = [.invalid, .pending, .running, .completed, .resolving]
    static let allowed: Set<[State]> = [[.pending, .running], [.running, .completed], [.completed, .resolving]]

    @Test(
        "the guard allows exactly Pending→Running, Running→Completed, Completed→Resolving",
        arguments: states, states)
    func guardTable(from: State, to: State) throws {
        var task = Fixtures.task(from)
        task.state = from
        let expected = Self.allowed.contains([from, to])
        #expect(Diego_Bbs_Task.allowsTransition(from: from, to: to) == expected)
        if expected {
            try task.validateTransition(to: to)
        } else {
            let error = #expect(throws: ModelError.self) { try task.validateTransition(to: to) }
            #expect(error?.kind == .invalidStateTransition)
            #expect(error?.message == "Cannot transition from \(from.diegoName) to \(to.diegoName)")
        }
    }

    @Test("cancel and reject apply to pending and running tasks, delete only to resolving ones", arguments: states)
    func specialCases(state: State) {
        let task = Fixtures.task(state)
        #expect(task.canCancel == (state == .pending || state == .running))
        #expect(task.canReject == (state == .pending || state == .running))
        #expect(task.canDelete == (state == .resolving))
    }
}
