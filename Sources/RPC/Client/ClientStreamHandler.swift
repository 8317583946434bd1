import HTTP2
import NIOCore

/// One client call's HTTP/2 stream, on the connection's event loop.
///
/// Exists as the thin I/O side of `ClientCallStateMachine`: it feeds stream events to the
/// machine, passes what the machine decides to the `ClientCall`, returns flow-control credit
/// as the caller reads (backpressure), and resets the stream on a local end (deadline, cancel).
final class ClientStreamHandler: HTTP2StreamHandler {
    private let call: ClientCall
    private var machine: ClientCallStateMachine
    private let highWatermark: Int
    private var connection: HTTP2Connection?
    private var streamID: HTTP2StreamID?
    private var streamClosed = false
    private var requestsEnded = false
    /// DATA bytes received and not yet given back with `consume`.
    private var unconsumedBytes = 0
    private var deadlineTask: Scheduled<Void>?

    private let lossReason: () -> String?

    init(call: ClientCall, maxReceiveMessageSize: Int, highWatermark: Int, lossReason: @escaping () -> String?) {
        self.call = call
        self.lossReason = lossReason
        self.machine = ClientCallStateMachine(maxReceiveMessageSize: maxReceiveMessageSize)
        self.highWatermark = highWatermark
    }

    /// Called right after `startStream` returned the id.
    func started(streamID: HTTP2StreamID, connection: HTTP2Connection, deadline: NIODeadline?) {
        self.streamID = streamID
        self.connection = connection
        if let deadline {
            deadlineTask = connection.eventLoop.assumeIsolated().scheduleTask(deadline: deadline) { [self] in
                self.deadlineExceeded()
            }
        }
    }

    func handle(_ event: HTTP2StreamEvent, streamID: HTTP2StreamID, connection: HTTP2Connection) {
        switch event {
        case .headers(let headers, let endStream):
            switch machine.receiveHeaders(headers, endStream: endStream) {
            case .deliverInitialMetadata(let metadata):
                call.receivedInitialMetadata(metadata)
            case .finish(let outcome, let reset):
                if reset { resetStream() }
                finish(outcome)
            case .none:
                break
            }
        case .data(let data, let endStream):
            unconsumedBytes += data.readableBytes
            switch machine.receiveData(data, endStream: endStream) {
            case .deliver(let messages, let outcome):
                let drained = call.receivedMessages(messages.map(\.payload))
                if drained { returnCredit() }
                if let outcome { finish(outcome) }
            case .fail(let error):
                resetStream()
                finish(.failed(error))
            }
        case .reset(let errorCode):
            if !connection.isActive, !machine.isFinished, errorCode != HTTP2ErrorCode.refusedStream {
                // The connection went away (dropped, refused by TLS, GOAWAY): not the server's CANCEL.
                // A REFUSED_STREAM (a stream above the GOAWAY's last stream id, or one never sent)
                // goes to the machine: the server did not process it.
                machine.finishLocally()
                let reason = lossReason().map { ": \($0)" } ?? ""
                finish(
                    .failed(.client(.unavailable, "the connection was lost before the call ended\(reason)", .maybeSent))
                )
            } else if let error = machine.receiveReset(errorCode: errorCode) {
                finish(.failed(error))
            }
        case .closed:
            streamClosed = true
            if let error = machine.streamClosed() { finish(.failed(error)) }
            deadlineTask?.cancel()
            deadlineTask = nil
        case .writable:
            call.becameWritable()
        }
    }

    // MARK: - Requests from the caller (hopped onto the loop by ClientCall)

    func send(_ framed: ByteBuffer, endStream: Bool) {
        guard let connection, let streamID, !streamClosed, !requestsEnded else { return }
        if endStream { requestsEnded = true }
        connection.sendData(streamID: streamID, framed, endStream: endStream)
        if !endStream && connection.queuedBytes(streamID: streamID) > highWatermark { call.writeBlocked() }
    }

    func sendEnd() {
        guard let connection, let streamID, !streamClosed, !requestsEnded else { return }
        requestsEnded = true
        connection.sendData(streamID: streamID, ByteBuffer(), endStream: true)
    }

    /// The caller took a message: once it has read everything, return the credit.
    func messageRead() {
        returnCredit()
    }

    func cancel() {
        machine.finishLocally()
        resetStream()
    }

    /// The caller is done; a stream still open is reset so it frees its slot.
    func release() {
        deadlineTask?.cancel()
        deadlineTask = nil
        if !streamClosed {
            machine.finishLocally()
            resetStream()
        }
    }

    private func deadlineExceeded() {
        deadlineTask = nil
        guard !machine.isFinished else { return }
        machine.finishLocally()
        resetStream()
        call.finished(.failed(.client(.deadlineExceeded, "deadline exceeded", .maybeSent)), discardQueued: true)
    }

    private func finish(_ outcome: ClientCallStateMachine.CallOutcome) {
        deadlineTask?.cancel()
        deadlineTask = nil
        call.finished(outcome)
        returnCredit()
    }

    private func returnCredit() {
        guard unconsumedBytes > 0, let connection, let streamID else { return }
        connection.consume(streamID: streamID, bytes: unconsumedBytes)
        unconsumedBytes = 0
    }

    private func resetStream() {
        guard let connection, let streamID, !streamClosed else { return }
        streamClosed = true
        connection.reset(streamID: streamID, errorCode: HTTP2ErrorCode.cancel)
    }
}
