import NIOConcurrencyHelpers
import NIOCore

/// The meeting point of one call's async caller and its stream handler on the event loop.
///
/// Exists because the caller (any task) and the HTTP/2 stream (one event loop) run in different
/// isolation domains: the handler pushes headers, messages and the outcome in under a lock; the
/// caller pulls them out, suspending when nothing is there. Reading a message tells the loop to
/// return flow-control credit, so a slow reader slows the server (backpressure); a write
/// suspends while the stream's outbound queue is over its high watermark.
final class ClientCall: Sendable {
    let eventLoop: any EventLoop
    private let state = NIOLockedValueBox(State())
    /// The stream handler, set once the stream has started. Only touched on `eventLoop`.
    private let handlerBox = NIOLockedValueBox<NIOLoopBound<ClientStreamHandler>?>(nil)

    private struct State {
        var initialMetadata: Metadata?
        var messages = CircularBuffer<ByteBuffer>()
        var outcome: ClientCallStateMachine.CallOutcome?
        var headersWaiters: [CheckedContinuation<Void, any Error>] = []
        var messageWaiter: CheckedContinuation<ByteBuffer?, any Error>?
        var writeBlocked = false
        var writableWaiter: CheckedContinuation<Void, any Error>?
    }

    init(eventLoop: any EventLoop) {
        self.eventLoop = eventLoop
    }

    // MARK: - Called by the stream handler, on the loop

    func attach(_ handler: ClientStreamHandler) {
        // Ended before the stream existed (deadline or cancellation while connecting): reset it
        // at once, and keep no reference (nobody will call `release`).
        if state.withLockedValue({ $0.outcome != nil }) {
            handler.cancel()
            return
        }
        handlerBox.withLockedValue { $0 = NIOLoopBound(handler, eventLoop: eventLoop) }
    }

    func receivedInitialMetadata(_ metadata: Metadata) {
        let waiters = state.withLockedValue { state -> [CheckedContinuation<Void, any Error>] in
            state.initialMetadata = metadata
            defer { state.headersWaiters = [] }
            return state.headersWaiters
        }
        for waiter in waiters { waiter.resume() }
    }

    /// Queues messages; returns whether the caller had read everything before (so the loop may
    /// return credit at once).
    func receivedMessages(_ messages: [ByteBuffer]) -> Bool {
        guard !messages.isEmpty else { return state.withLockedValue { $0.messages.isEmpty } }
        let (waiter, first): (CheckedContinuation<ByteBuffer?, any Error>?, ByteBuffer?) =
            state.withLockedValue { state in
                guard state.outcome == nil || state.outcome.map(Self.isOK) == true else { return (nil, nil) }
                state.messages.append(contentsOf: messages)
                guard let waiter = state.messageWaiter else { return (nil, nil) }
                state.messageWaiter = nil
                return (waiter, state.messages.popFirst())
            }
        if let waiter { waiter.resume(returning: first) }
        return state.withLockedValue { $0.messages.isEmpty }
    }

    /// The call ended with `outcome` (first outcome wins). Messages already received are still
    /// read before the status, as gRPC orders them, unless the end is local (`discardQueued`:
    /// deadline, cancellation), which makes the status the very next thing the reader sees.
    func finished(_ outcome: ClientCallStateMachine.CallOutcome, discardQueued: Bool = false) {
        let (headersWaiters, messageWaiter, writableWaiter, first) = state.withLockedValue {
            state -> (
                [CheckedContinuation<Void, any Error>], CheckedContinuation<ByteBuffer?, any Error>?,
                CheckedContinuation<Void, any Error>?, ByteBuffer?
            ) in
            guard state.outcome == nil else { return ([], nil, nil, nil) }
            state.outcome = outcome
            if discardQueued { state.messages.removeAll() }
            defer {
                state.headersWaiters = []
                state.messageWaiter = nil
                state.writableWaiter = nil
            }
            let first = state.messageWaiter == nil ? nil : state.messages.popFirst()
            return (state.headersWaiters, state.messageWaiter, state.writableWaiter, first)
        }
        let error = Self.error(of: outcome)
        for waiter in headersWaiters {
            if let error { waiter.resume(throwing: error) } else { waiter.resume() }
        }
        if let messageWaiter {
            if let error { messageWaiter.resume(throwing: error) } else { messageWaiter.resume(returning: first) }
        }
        writableWaiter?.resume(throwing: error ?? RPCError.client(.internal, "the call already ended", .maybeSent))
    }

    func writeBlocked() { state.withLockedValue { $0.writeBlocked = true } }

    func becameWritable() {
        let waiter = state.withLockedValue { state -> CheckedContinuation<Void, any Error>? in
            state.writeBlocked = false
            defer { state.writableWaiter = nil }
            return state.writableWaiter
        }
        waiter?.resume()
    }

    // MARK: - Called by the caller, from any task

    var initialMetadata: Metadata { state.withLockedValue { $0.initialMetadata ?? Metadata() } }

    var trailingMetadata: Metadata {
        state.withLockedValue { state in
            switch state.outcome {
            case .ok(let metadata): metadata
            case .failed(let error): error.metadata
            case nil: Metadata()
            }
        }
    }

    var outcome: ClientCallStateMachine.CallOutcome? { state.withLockedValue { $0.outcome } }

    /// Returns once response headers arrived; throws the call's error if it ended without them.
    func awaitHeaders() async throws {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
            let result: Result<Void, any Error>? = state.withLockedValue { state in
                if state.initialMetadata != nil { return .success(()) }
                if let outcome = state.outcome {
                    if let error = Self.error(of: outcome) { return .failure(error) }
                    return .success(())
                }
                state.headersWaiters.append(continuation)
                return nil
            }
            if let result { continuation.resume(with: result) }
        }
    }

    /// The next message's payload, nil at a successful end; throws the call's error.
    func nextMessage() async throws -> ByteBuffer? {
        let message = try await withCheckedThrowingContinuation {
            (continuation: CheckedContinuation<ByteBuffer?, any Error>) in
            let result: Result<ByteBuffer?, any Error>? = state.withLockedValue { state in
                if let message = state.messages.popFirst() { return .success(message) }
                if let outcome = state.outcome {
                    if let error = Self.error(of: outcome) { return .failure(error) }
                    return .success(nil)
                }
                guard state.messageWaiter == nil else {
                    return .failure(
                        RPCError.client(.internal, "a response stream has one reader at a time", .maybeSent))
                }
                state.messageWaiter = continuation
                return nil
            }
            if let result { continuation.resume(with: result) }
        }
        if message != nil, state.withLockedValue({ $0.messages.isEmpty }) { onLoop { $0.messageRead() } }
        return message
    }

    /// Sends one framed message; suspends while the stream is over its high watermark.
    func write(_ framed: ByteBuffer) async throws {
        if let error = endedError() { throw error }
        try await eventLoop.submit { [handlerBox] in
            handlerBox.withLockedValue { $0?.value.send(framed, endStream: false) }
        }.get()
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
            let result: Result<Void, any Error>? = state.withLockedValue { state in
                if let outcome = state.outcome, let error = Self.error(of: outcome) { return .failure(error) }
                guard state.writeBlocked else { return .success(()) }
                state.writableWaiter = continuation
                return nil
            }
            if let result { continuation.resume(with: result) }
        }
    }

    /// Sends the only request message with END_STREAM (unary and server-streaming calls).
    func writeLast(_ framed: ByteBuffer) {
        onLoop { $0.send(framed, endStream: true) }
    }

    /// Half-closes the request side (END_STREAM).
    func finishRequests() {
        onLoop { $0.sendEnd() }
    }

    /// Ends the call from our side: resets the stream if it is still open, and fails waiters.
    func cancel(_ error: RPCError) {
        finished(.failed(error), discardQueued: true)
        onLoop { $0.cancel() }
    }

    /// Called when the caller is done with the call, however it ended: frees the stream.
    func release() {
        // Also drops the handler, which holds this call: the pair must not keep each other alive.
        eventLoop.execute { [handlerBox] in
            let handler = handlerBox.withLockedValue { box in
                defer { box = nil }
                return box
            }
            handler?.value.release()
        }
    }

    private func endedError() -> RPCError? {
        state.withLockedValue { state in
            guard let outcome = state.outcome else { return nil }
            return Self.error(of: outcome) ?? RPCError.client(.internal, "the call already ended", .maybeSent)
        }
    }

    private func onLoop(_ body: @escaping @Sendable (ClientStreamHandler) -> Void) {
        eventLoop.execute { [handlerBox] in
            if let handler = handlerBox.withLockedValue({ $0 }) { body(handler.value) }
        }
    }

    private static func isOK(_ outcome: ClientCallStateMachine.CallOutcome) -> Bool {
        if case .ok = outcome { true } else { false }
    }

    private static func error(of outcome: ClientCallStateMachine.CallOutcome) -> RPCError? {
        if case .failed(let error) = outcome { error } else { nil }
    }
}
