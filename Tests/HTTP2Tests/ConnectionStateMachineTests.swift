import Testing

@testable import HTTP2

@Suite("HTTP2 connection lifecycle")
struct ConnectionStateMachineTests {
    typealias Machine = HTTP2ConnectionCore.StateMachine

    @Test("a server shuts down in two steps: notice and PING, then GOAWAY after the round trip")
    func serverShutdown() {
        var machine = Machine(isServer: true)
        #expect(machine.isActive)
        #expect(machine.shutdownRequested() == .sendNoticeAndPing)
        #expect(!machine.isActive && machine.isRunning)
        #expect(machine.shutdownRequested() == .none)
        #expect(machine.noticeRoundTripDone() == true)
        #expect(machine.shutdown == .goAwaySent)
        // The PING ACK and the grace timer may both arrive: only one final GOAWAY.
        #expect(machine.noticeRoundTripDone() == false)
    }

    @Test("a client shuts down with one GOAWAY")
    func clientShutdown() {
        var machine = Machine(isServer: false)
        #expect(machine.shutdownRequested() == .sendGoAway)
        #expect(machine.noticeRoundTripDone() == false)
    }

    @Test("a client's owner hears that the connection closed exactly once")
    func closedNoticeOnce() {
        var machine = Machine(isServer: false)
        #expect(machine.goAwayWasReceived() == true)
        #expect(!machine.isActive)
        #expect(machine.goAwayWasReceived() == false)
        #expect(machine.stopped() == .stop(notifyClosed: false))
        #expect(machine.stopped() == .alreadyStopped)

        var other = Machine(isServer: false)
        #expect(other.stopped() == .stop(notifyClosed: true))
    }

    @Test("a server has no closed notice, and closing happens once")
    func serverClose() {
        var machine = Machine(isServer: true)
        #expect(machine.goAwayWasReceived() == false)
        #expect(machine.closeRequested() == true)
        #expect(machine.closeRequested() == false)
        #expect(!machine.isRunning)
        #expect(machine.shutdownRequested() == .none)
        #expect(machine.stopped() == .stop(notifyClosed: false))
    }
}
