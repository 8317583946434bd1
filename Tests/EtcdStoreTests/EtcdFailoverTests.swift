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
        "errors are classified by how far the request got and, for etcd's answers, by their code",
        arguments: [
            // The client's own failures: the delivery decides, whatever the code or the words.
            (RPCError(code: .unavailable, message: "x", delivery: .notSent), "notApplied"),
            (RPCError(code: .deadlineExceeded, message: "x", delivery: .notSent), "notApplied"),
            (RPCError(code: .cancelled, message: "x", delivery: .notSent), "notApplied"),
            (RPCError(code: .unavailable, message: "x", delivery: .maybeSent), "outcomeUnknown"),
            (RPCError(code: .deadlineExceeded, message: "x", delivery: .maybeSent), "outcomeUnknown"),
            (RPCError(code: .resourceExhausted, message: "x", delivery: .maybeSent), "outcomeUnknown"),
            (RPCError(code: .internal, message: "x", delivery: .maybeSent), "outcomeUnknown"),
            (RPCError(code: .unavailable, message: "x", delivery: .cannotSend), "final"),
            (RPCError(code: .invalidArgument, message: "x", delivery: .cannotSend), "final"),
            // Our client's old sentences mean nothing in an answer: only etcd's documented ones do.
            (RPCError(code: .unavailable, message: "cannot connect to 127.0.0.1:2379"), "outcomeUnknown"),
            (RPCError(code: .unavailable, message: "stream refused by the server (REFUSED_STREAM)"), "outcomeUnknown"),
            // etcd's refusals before proposing (api/v3rpc/rpctypes/error.go).
            (RPCError(code: .unavailable, message: "etcdserver: no leader"), "notApplied"),
            (RPCError(code: .unavailable, message: "etcdserver: not capable"), "notApplied"),
            (RPCError(code: .unavailable, message: "etcdserver: unhealthy cluster"), "notApplied"),
            (RPCError(code: .unavailable, message: "etcdserver: rpc not supported for learner"), "notApplied"),
            (RPCError(code: .resourceExhausted, message: "etcdserver: too many requests"), "notApplied"),
            // The words alone are not enough: the code must be etcd's too.
            (RPCError(code: .internal, message: "etcdserver: no leader"), "outcomeUnknown"),
            (RPCError(code: .unavailable, message: "etcdserver: no leader", delivery: .maybeSent), "outcomeUnknown"),
            // etcd's answers after the proposal, or for internal faults.
            (RPCError(code: .unavailable, message: "etcdserver: request timed out"), "outcomeUnknown"),
            (RPCError(code: .unavailable, message: "etcdserver: leader changed"), "outcomeUnknown"),
            (RPCError(code: .deadlineExceeded, message: "etcdserver: context deadline exceeded"), "outcomeUnknown"),
            (RPCError(code: .cancelled, message: "etcdserver: request canceled"), "outcomeUnknown"),
            (RPCError(code: .aborted, message: "x"), "outcomeUnknown"),
            (RPCError(code: .internal, message: "x"), "outcomeUnknown"),
            (RPCError(code: .unknown, message: "x"), "outcomeUnknown"),
            // etcd's definite answers.
            (RPCError(code: .invalidArgument, message: "etcdserver: duplicate key given in txn request"), "final"),
            (RPCError(code: .outOfRange, message: "etcdserver: mvcc: required revision has been compacted"), "final"),
            (RPCError(code: .failedPrecondition, message: "etcdserver: not leader"), "final"),
            (RPCError(code: .notFound, message: "etcdserver: requested lease not found"), "final"),
            (RPCError(code: .alreadyExists, message: "x"), "final"),
            (RPCError(code: .resourceExhausted, message: "etcdserver: mvcc: database space exceeded"), "final"),
            (RPCError(code: .permissionDenied, message: "etcdserver: permission denied"), "final"),
            (RPCError(code: .unauthenticated, message: "etcdserver: invalid auth token"), "final"),
            (RPCError(code: .unimplemented, message: "x"), "final"),
            (RPCError(code: .dataLoss, message: "etcdserver: corrupt cluster"), "final"),
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

    @Test("a client that cannot load its TLS files fails the call at once, naming the problem")
    func unloadableTLS() {
        let error = RPCError(
            code: .unavailable, message: "cannot load the client TLS configuration: no such file", delivery: .cannotSend
        )
        guard case .final(let failure) = EtcdFailure.classify(error) else {
            Issue.record("expected a final failure")
            return
        }
        #expect(failure.kind == .backendFailure)
        #expect(failure.message.contains("cannot load the client TLS configuration"))
    }

    @Test("our own verdicts and cancellation are final; an error from below RPC is an unknown outcome")
    func otherErrors() {
        #expect(EtcdFailure.classify(StoreError.invalidArgument("too big")) == .final(.invalidArgument("too big")))
        guard case .final = EtcdFailure.classify(CancellationError()) else {
            Issue.record("expected a final failure")
            return
        }
        struct Lower: Error {}
        guard case .outcomeUnknown = EtcdFailure.classify(Lower()) else {
            Issue.record("expected an unknown outcome")
            return
        }
    }
}
