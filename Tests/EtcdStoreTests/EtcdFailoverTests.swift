import RPC
import Store
import Testing

@testable import EtcdStore

@Suite("etcd failover policy")
struct EtcdFailoverTests {
    let start = ContinuousClock.now

    func failover(members: Int, preferred: Int = 0, budget: Duration = .seconds(10)) -> EtcdFailover {
        EtcdFailover(
            endpointCount: members, preferred: preferred, budget: budget, roundPause: .milliseconds(200), now: start)
    }

    @Test("a failed member hands the call to the next one, wrapping around from the preferred one")
    func nextMember() {
        var machine = failover(members: 3, preferred: 1)
        #expect(machine.endpoint == 1)
        #expect(machine.failed(.notApplied("refused"), now: start) == .attempt(endpoint: 2, pause: nil))
        #expect(machine.failed(.notApplied("refused"), now: start) == .attempt(endpoint: 0, pause: nil))
        #expect(machine.attempts == 3)
    }

    @Test("after every member failed once it pauses and goes round again")
    func rounds() {
        var machine = failover(members: 2)
        #expect(machine.failed(.notApplied("no leader"), now: start) == .attempt(endpoint: 1, pause: nil))
        #expect(
            machine.failed(.notApplied("no leader"), now: start) == .attempt(endpoint: 0, pause: .milliseconds(200)))
    }

    @Test("a single member is retried after a pause")
    func singleMember() {
        var machine = failover(members: 1)
        #expect(
            machine.failed(.outcomeUnknown("reset"), now: start) == .attempt(endpoint: 0, pause: .milliseconds(200)))
    }

    @Test("the budget ends the call with a backend failure naming the last error")
    func budget() {
        var machine = failover(members: 2, budget: .seconds(1))
        let late = start.advanced(by: .seconds(2))
        guard case .fail(let error) = machine.failed(.notApplied("etcdserver: no leader"), now: late) else {
            Issue.record("expected the call to fail")
            return
        }
        #expect(error.kind == .backendFailure)
        #expect(error.message.contains("etcdserver: no leader"))
        #expect(error.message.contains("all 2 etcd members"))
    }

    @Test("a definite answer from etcd is not retried")
    func finalFailure() {
        var machine = failover(members: 3)
        let refusal = StoreError.invalidArgument(
            "etcd refused the request: etcdserver: duplicate key given in txn request")
        #expect(machine.failed(.final(refusal), now: start) == .fail(refusal))
    }

    @Test("an attempt that may have been applied is remembered; one refused before proposing is not")
    func outcomeUnknown() {
        var machine = failover(members: 3)
        _ = machine.failed(.notApplied("no leader"), now: start)
        #expect(!machine.outcomeUnknown)
        _ = machine.failed(.outcomeUnknown("deadline exceeded"), now: start)
        #expect(machine.outcomeUnknown)
        _ = machine.failed(.notApplied("no leader"), now: start)
        #expect(machine.outcomeUnknown)
    }

    @Test(
        "errors are classified by whether the request could have been applied",
        arguments: [
            (RPCError(code: .unavailable, message: "etcdserver: no leader"), "notApplied"),
            (
                RPCError(
                    code: .unavailable, message: "cannot connect to 127.0.0.1:2379: connection refused (errno 111)"),
                "notApplied"
            ),
            (
                RPCError(code: .unavailable, message: "stream refused by the server (RST_STREAM REFUSED_STREAM)"),
                "notApplied"
            ),
            (RPCError(code: .unavailable, message: "the connection closed before the call ended"), "outcomeUnknown"),
            (RPCError(code: .unavailable, message: "etcdserver: request timed out"), "outcomeUnknown"),
            (RPCError(code: .unavailable, message: "connection closed"), "outcomeUnknown"),
            (RPCError(code: .deadlineExceeded, message: "deadline exceeded"), "outcomeUnknown"),
            (RPCError(code: .invalidArgument, message: "etcdserver: duplicate key given in txn request"), "final"),
            (RPCError(code: .resourceExhausted, message: "etcdserver: mvcc: database space exceeded"), "final"),
            (RPCError(code: .outOfRange, message: "etcdserver: mvcc: required revision has been compacted"), "final"),
        ])
    func classification(error: RPCError, kind: String) {
        let failure = EtcdFailure.classify(error)
        switch failure {
        case .notApplied: #expect(kind == "notApplied")
        case .outcomeUnknown: #expect(kind == "outcomeUnknown")
        case .final: #expect(kind == "final")
        }
        #expect(failure.message.contains(error.message))
    }
}
