import NIOCore
import Testing

@testable import TLS

/// The TLS lifecycle without a channel or OpenSSL: what each event asks the handler to do.
@Suite("TLSHandler.StateMachine")
struct TLSHandlerStateMachineTests {
    typealias Machine = TLSHandler.StateMachine
    let peer = TLSPeerIdentity(subject: "CN=rep,O=bbs", dnsNames: ["rep.bbs"])

    func buffer(_ text: String) -> ByteBuffer { ByteBuffer(string: text) }

    func establishedMachine() -> Machine {
        var machine = Machine(applicationProtocols: ["h2"])
        _ = machine.channelActive()
        _ = machine.handshakeCompleted(applicationProtocol: "h2", peer: peer, protocolVersion: "TLSv1.3")
        return machine
    }

    @Test("the handshake starts once, when the channel becomes active")
    func startsOnce() {
        var machine = Machine(applicationProtocols: ["h2"])
        #expect(machine.channelActive() == .startHandshake)
        #expect(machine.channelActive() == .none)
        #expect(machine.channelRead() == .continueHandshake)
    }

    @Test("writes before the handshake are buffered, then released in order with the pending flush")
    func buffersEarlyWrites() throws {
        var machine = Machine(applicationProtocols: ["h2"])
        _ = machine.channelActive()
        guard case .buffered = machine.write(buffer("one"), promise: nil) else { Issue.record("not buffered"); return }
        guard case .buffered = machine.write(buffer("two"), promise: nil) else { Issue.record("not buffered"); return }
        #expect(machine.flush() == .none)

        let action = machine.handshakeCompleted(applicationProtocol: "h2", peer: peer, protocolVersion: "TLSv1.3")
        guard case .established(let event, let writes, let flush) = action else {
            Issue.record("expected established, got \(action)")
            return
        }
        #expect(event == TLSEstablished(applicationProtocol: "h2", peer: peer, protocolVersion: "TLSv1.3"))
        #expect(writes.map(\.data) == [buffer("one"), buffer("two")])
        #expect(flush)
        #expect(machine.state == .established)
    }

    @Test("writes buffered without a flush are released without one")
    func noFlushWithoutRequest() {
        var machine = Machine(applicationProtocols: ["h2"])
        _ = machine.write(buffer("one"), promise: nil)
        let action = machine.handshakeCompleted(applicationProtocol: "h2", peer: peer, protocolVersion: "TLSv1.2")
        guard case .established(_, let writes, let flush) = action else {
            Issue.record("expected established, got \(action)")
            return
        }
        #expect(writes.count == 1)
        #expect(!flush)
    }

    @Test(
        "a handshake is refused unless an accepted ALPN protocol was agreed",
        arguments: [nil, "http/1.1", "h2c"] as [String?])
    func refusesWithoutALPN(agreed: String?) {
        var machine = Machine(applicationProtocols: ["h2"])
        _ = machine.write(buffer("early"), promise: nil)
        let action = machine.handshakeCompleted(applicationProtocol: agreed, peer: peer, protocolVersion: "TLSv1.3")
        guard case .refuse(let error, let writes) = action else {
            Issue.record("expected refuse, got \(action)")
            return
        }
        #expect(error.kind == .noApplicationProtocol)
        #expect(error.message.contains("h2"))
        #expect(writes.count == 1)
        #expect(machine.state == .closing)
        guard case .fail(let writeError) = machine.write(buffer("late"), promise: nil) else {
            Issue.record("a write after refusal must fail")
            return
        }
        #expect(writeError.kind == .closed)
    }

    @Test("a handshake without a verified peer certificate is refused")
    func refusesWithoutPeer() {
        var machine = Machine(applicationProtocols: ["h2"])
        let action = machine.handshakeCompleted(applicationProtocol: "h2", peer: nil, protocolVersion: "TLSv1.3")
        guard case .refuse(let error, _) = action else {
            Issue.record("expected refuse, got \(action)")
            return
        }
        #expect(error.kind == .noPeerCertificate)
    }

    @Test("once established, writes are encrypted, flushes sent and reads decrypted")
    func established() {
        var machine = establishedMachine()
        guard case .encrypt = machine.write(buffer("x"), promise: nil) else {
            Issue.record("expected encrypt")
            return
        }
        #expect(machine.flush() == .flush)
        #expect(machine.channelRead() == .readPlaintext)
        #expect(machine.canForwardPlaintext)
    }

    @Test("closing an established connection sends close_notify; afterwards reads are dropped and writes fail")
    func closeEstablished() {
        var machine = establishedMachine()
        guard case .sendCloseNotifyAndClose = machine.close() else {
            Issue.record("expected close_notify")
            return
        }
        #expect(machine.state == .closing)
        #expect(!machine.canForwardPlaintext)
        #expect(machine.channelRead() == .discard)
        #expect(machine.flush() == .none)
        guard case .fail = machine.write(buffer("late"), promise: nil) else {
            Issue.record("a write after close must fail")
            return
        }
        guard case .forward = machine.close() else {
            Issue.record("a second close is passed on")
            return
        }
    }

    @Test("closing during the handshake closes at once and gives back the buffered writes to fail")
    func closeDuringHandshake() {
        var machine = Machine(applicationProtocols: ["h2"])
        _ = machine.channelActive()
        _ = machine.write(buffer("early"), promise: nil)
        guard case .close(let writes) = machine.close() else {
            Issue.record("expected close")
            return
        }
        #expect(writes.count == 1)
        #expect(machine.state == .closing)
    }

    @Test("the peer's close_notify is answered with ours")
    func peerCloseNotify() {
        var machine = establishedMachine()
        guard case .sendCloseNotifyAndClose = machine.closeNotifyReceived() else {
            Issue.record("expected close_notify")
            return
        }
        guard case .forward = machine.closeNotifyReceived() else {
            Issue.record("only once")
            return
        }
    }

    @Test("a fatal error is reported once")
    func failsOnce() {
        var machine = establishedMachine()
        let error = TLSError(kind: .protocolError, message: "bad record mac")
        guard case .fail(let reported, _) = machine.failed(error) else {
            Issue.record("expected fail")
            return
        }
        #expect(reported == error)
        guard case .none = machine.failed(error) else {
            Issue.record("a second failure is not reported")
            return
        }
    }

    @Test("the connection going away mid-handshake is an error; after the handshake it is not")
    func inactive() {
        var handshaking = Machine(applicationProtocols: ["h2"])
        _ = handshaking.channelActive()
        _ = handshaking.write(buffer("early"), promise: nil)
        guard case .failHandshake(let error, let writes) = handshaking.channelInactive() else {
            Issue.record("expected failHandshake")
            return
        }
        #expect(error.kind == .closedDuringHandshake)
        #expect(writes.count == 1)
        #expect(handshaking.state == .closed)

        var established = establishedMachine()
        guard case .none = established.channelInactive() else {
            Issue.record("expected none")
            return
        }
        #expect(established.state == .closed)
        #expect(established.channelRead() == .discard)
    }
}
