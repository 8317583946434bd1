import NIOConcurrencyHelpers
import NIOCore

/// The state one streaming call's handler task and its event loop share: queued request
/// messages and the writers waiting for `.writable`.
///
/// Exists because a handler runs in a Swift Task while its stream lives on the event loop. All
/// state is behind one lock; the loop side never blocks and the task side suspends with a
/// continuation that the loop resumes.
final class ServerCallBridge: Sendable {
    private struct State {
        var requests: [ByteBuffer] = []
        var requestsHead = 0
        var requestsEnded = false
        var requestsError: (any Error)?
        var reader: CheckedContinuation<ByteBuffer?, any Error>?
        /// Flow-control credit not yet returned to the peer because the handler is behind.
        var heldCredit = 0
        /// Usually one; several when a handler writes from concurrent tasks.
        var writers: [CheckedContinuation<Void, any Error>] = []
        var closedError: RPCError?

        var queuedRequests: Int { requests.count - requestsHead }
    }

    /// Request messages queued beyond this hold back flow-control credit.
    static let requestQueueLimit = 4

    private let state = NIOLockedValueBox(State())

    // MARK: - Loop side

    /// Queues request messages (and the end of the request). Returns whether `creditBytes`
    /// may be returned to the peer now; otherwise the bridge holds it until the handler reads.
    func deliver(_ messages: [ByteBuffer], ended: Bool, creditBytes: Int) -> Bool {
        let (reader, next, release): (CheckedContinuation<ByteBuffer?, any Error>?, ByteBuffer?, Bool) =
            state.withLockedValue { state in
                guard state.requestsError == nil else { return (nil, nil, true) }
                state.requests.append(contentsOf: messages)
                if ended { state.requestsEnded = true }
                let release = state.queuedRequests <= Self.requestQueueLimit
                if !release { state.heldCredit += creditBytes }
                guard let reader = state.reader else { return (nil, nil, release) }
                if state.queuedRequests > 0 {
                    state.reader = nil
                    return (reader, Self.pop(&state), release)
                }
                if state.requestsEnded {
                    state.reader = nil
                    return (reader, nil, release)
                }
                return (nil, nil, release)
            }
        reader?.resume(returning: next)
        return release
    }

    /// DATA that completed no message (part of a larger one). Returns whether its credit may be
    /// returned now: not while the handler is behind, or a peer could stream on forever.
    func admitPartial(creditBytes: Int) -> Bool {
        state.withLockedValue { state in
            guard state.requestsError == nil, state.queuedRequests > Self.requestQueueLimit else { return true }
            state.heldCredit += creditBytes
            return false
        }
    }

    /// The call ended (status sent, reset, deadline): wake and fail every waiter. Returns the
    /// credit still held back, which the caller may return to the peer.
    @discardableResult
    func close(_ error: RPCError) -> Int {
        let (reader, writers, held) = state.withLockedValue { state in
            if state.closedError == nil { state.closedError = error }
            if !state.requestsEnded && state.requestsError == nil { state.requestsError = error }
            state.requests.removeAll()
            state.requestsHead = 0
            defer {
                state.reader = nil
                state.writers = []
                state.heldCredit = 0
            }
            return (state.reader, state.writers, state.heldCredit)
        }
        reader?.resume(throwing: error)
        for writer in writers { writer.resume(throwing: error) }
        return held
    }

    /// Parks a writer until `.writable` (or fails it at once when the call already ended).
    func parkWriter(_ continuation: CheckedContinuation<Void, any Error>) {
        let error: RPCError? = state.withLockedValue { state in
            if let error = state.closedError { return error }
            state.writers.append(continuation)
            return nil
        }
        if let error { continuation.resume(throwing: error) }
    }

    /// Writers waiting for `.writable`.
    var parkedWriters: Int { state.withLockedValue { $0.writers.count } }

    /// `.writable`: resumes the parked writers.
    func resumeWriter() {
        let writers = state.withLockedValue { state in
            defer { state.writers = [] }
            return state.writers
        }
        for writer in writers { writer.resume() }
    }

    var closedError: RPCError? { state.withLockedValue { $0.closedError } }

    // MARK: - Task side

    /// The next request message; nil at the end of the request. `releaseCredit` is called (from
    /// the task) with credit that may now be returned to the peer.
    func nextRequest(releaseCredit: (Int) -> Void) async throws -> ByteBuffer? {
        var credit = 0
        let immediate: Result<ByteBuffer?, any Error>? = state.withLockedValue { state in
            if state.queuedRequests > 0 {
                let message = Self.pop(&state)
                if state.heldCredit > 0 && state.queuedRequests <= Self.requestQueueLimit {
                    credit = state.heldCredit
                    state.heldCredit = 0
                }
                return .success(message)
            }
            if let error = state.requestsError { return .failure(error) }
            if state.requestsEnded { return .success(nil) }
            return nil
        }
        if credit > 0 { releaseCredit(credit) }
        if let immediate { return try immediate.get() }
        return try await withCheckedThrowingContinuation { continuation in
            let ready: Result<ByteBuffer?, any Error>? = state.withLockedValue { state in
                if state.queuedRequests > 0 { return .success(Self.pop(&state)) }
                if let error = state.requestsError { return .failure(error) }
                if state.requestsEnded { return .success(nil) }
                guard state.reader == nil else {
                    return .failure(RPCError(code: .internal, message: "the request stream is read by two tasks at once"))
                }
                state.reader = continuation
                return nil
            }
            if let ready { continuation.resume(with: ready) }
        }
    }

    private static func pop(_ state: inout State) -> ByteBuffer {
        let message = state.requests[state.requestsHead]
        state.requestsHead += 1
        if state.requestsHead == state.requests.count {
            state.requests.removeAll(keepingCapacity: true)
            state.requestsHead = 0
        }
        return message
    }
}
