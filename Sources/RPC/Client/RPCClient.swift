import HTTP2
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import SwiftProtobuf
import TLS

/// A gRPC client over one or a few multiplexed HTTP/2 connections.
///
/// Exists so `bbsctl`, the etcd backend and the tests make typed calls with deadlines and
/// metadata; it reconnects after a connection drops, follows the master redirect (bounded hops)
/// and retries 503 answers with jittered backoff within the configured budget. Failures are
/// thrown as `RPCError` with the server's status, message and trailing metadata.
///
/// Unary and server-streaming calls follow redirects and retry 503 answers (their request can
/// be sent again); client-streaming and bidirectional calls report them as errors.
public final class RPCClient: Sendable {
    let configuration: RPCClientConfiguration
    private let group: MultiThreadedEventLoopGroup
    private let tls: Result<TLSContext, RPCError>?
    private let pools = NIOLockedValueBox<[ClientTarget: ClientConnectionPool]>([:])
    private let closed = NIOLockedValueBox(false)

    /// Connects lazily: nothing happens until the first call. A TLS configuration that cannot be
    /// loaded makes every call fail with UNAVAILABLE naming the problem.
    public init(configuration: RPCClientConfiguration) {
        self.configuration = configuration
        self.group = MultiThreadedEventLoopGroup(numberOfThreads: max(1, configuration.threads))
        switch configuration.security {
        case .mutualTLS(let files, _):
            do {
                tls = .success(try TLSContext(configuration: files.tlsConfiguration, role: .client))
            } catch {
                tls = .failure(
                    .client(.unavailable, "cannot load the client TLS configuration: \(error)", .cannotSend))
            }
        case .plaintext:
            tls = nil
        }
    }

    deinit {
        group.shutdownGracefully { _ in }
    }

    /// One request, one response; follows the master redirect and retries 503 answers.
    public func unary<Req, Resp>(
        _ method: RPCMethod<Req, Resp>, _ request: Req, options: CallOptions = CallOptions()
    ) async throws -> Resp {
        try await unaryWithMetadata(method, request, options: options).message
    }

    /// Like `unary`, with the response's initial and trailing metadata.
    public func unaryWithMetadata<Req, Resp>(
        _ method: RPCMethod<Req, Resp>, _ request: Req, options: CallOptions = CallOptions()
    ) async throws -> ClientResponse<Resp> {
        let framed = try Self.frame(request, delivery: .notSent)
        return try await withPolicies(options) { connection, deadline in
            try await self.runCall(connection, method.path, options, deadline) { call in
                call.writeLast(framed)
                return try await Self.singleResponse(of: call, as: Resp.self)
            }
        }
    }

    /// Sends one request and hands the response stream to `body`; the call ends when `body` returns.
    public func serverStreaming<Req, Resp, Result: Sendable>(
        _ method: RPCMethod<Req, Resp>, _ request: Req, options: CallOptions = CallOptions(),
        _ body: @Sendable (RPCMessageStream<Resp>) async throws -> Result
    ) async throws -> Result {
        let framed = try Self.frame(request, delivery: .notSent)
        return try await withPolicies(options) { connection, deadline in
            try await self.runCall(connection, method.path, options, deadline) { call in
                call.writeLast(framed)
                // A redirect or 503 is a header block: see it before handing out the stream.
                try await call.awaitHeaders()
                return try await Self.callerCode(call) {
                    try await body(Self.responseStream(of: call, as: Resp.self))
                }
            }
        }
    }

    /// Lets `body` write requests; half-closes when it returns, then awaits the single response.
    public func clientStreaming<Req, Resp>(
        _ method: RPCMethod<Req, Resp>, options: CallOptions = CallOptions(),
        _ body: @Sendable (RPCWriter<Req>) async throws -> Void
    ) async throws -> Resp {
        let deadline = options.timeout.map { ContinuousClock.now + $0 }
        let connection = try pool(for: configuration.primaryTarget).next()
        return try await Self.unwrappingCallerErrors {
            try await runCall(connection, method.path, options, deadline) { call in
                try await Self.callerCode(call) { try await body(Self.requestWriter(for: call)) }
                call.finishRequests()
                return try await Self.singleResponse(of: call, as: Resp.self).message
            }
        }
    }

    /// Full duplex: `body` writes requests and reads responses concurrently; returning from
    /// `body` half-closes the request side (if still open) and ends the call.
    public func bidirectionalStreaming<Req, Resp, Result: Sendable>(
        _ method: RPCMethod<Req, Resp>, options: CallOptions = CallOptions(),
        _ body: @Sendable (RPCWriter<Req>, RPCMessageStream<Resp>) async throws -> Result
    ) async throws -> Result {
        try await duplexStreaming(method, options: options) { writer, responses in
            try await body(RPCWriter(write: { try await writer.write($0) }), responses)
        }
    }

    /// A bidirectional call whose writer can half-close the request side (`finish()`) while
    /// `body` goes on reading responses, as gRPC's ping-pong and empty-stream cases need.
    /// Returning from `body` ends the call.
    public func duplexStreaming<Req, Resp, Result: Sendable>(
        _ method: RPCMethod<Req, Resp>, options: CallOptions = CallOptions(),
        _ body: @Sendable (RPCRequestWriter<Req>, RPCMessageStream<Resp>) async throws -> Result
    ) async throws -> Result {
        let deadline = options.timeout.map { ContinuousClock.now + $0 }
        let connection = try pool(for: configuration.primaryTarget).next()
        return try await Self.unwrappingCallerErrors {
            try await runCall(connection, method.path, options, deadline) { call in
                let writer = RPCRequestWriter<Req>(call: call)
                let result = try await Self.callerCode(call) {
                    try await body(writer, Self.responseStream(of: call, as: Resp.self))
                }
                call.finishRequests()
                return result
            }
        }
    }

    /// Closes every connection; calls in flight fail with UNAVAILABLE.
    public func close() async {
        closed.withLockedValue { $0 = true }
        let all = pools.withLockedValue { pools in
            defer { pools = [:] }
            return Array(pools.values)
        }
        for pool in all { await pool.close() }
        try? await group.shutdownGracefully()
    }

    // MARK: - Connections

    func pool(for target: ClientTarget) throws(RPCError) -> ClientConnectionPool {
        guard !closed.withLockedValue({ $0 }) else {
            throw .client(.unavailable, "the client is closed", .cannotSend)
        }
        let context: TLSContext?
        switch tls {
        case .success(let loaded): context = loaded
        case .failure(let error): throw error
        case nil: context = nil
        }
        let primary = configuration.primaryTarget
        var serverName: String? = nil
        if case .mutualTLS(_, let name) = configuration.security {
            serverName = target == primary ? (name ?? target.host) : target.host
        }
        return pools.withLockedValue { pools in
            if let pool = pools[target] { return pool }
            let pool = ClientConnectionPool(
                target: target, count: target == primary ? configuration.connections : 1, group: group,
                tls: context, serverName: serverName, configuration: configuration)
            pools[target] = pool
            return pool
        }
    }

    // MARK: - One call on one stream

    private func runCall<T: Sendable>(
        _ connection: ClientConnection, _ path: String, _ options: CallOptions,
        _ deadline: ContinuousClock.Instant?, _ body: @Sendable (ClientCall) async throws -> T
    ) async throws -> T {
        var headers = HTTP2Headers([
            (":method", "POST"), (":scheme", connection.target.usesTLS ? "https" : "http"), (":path", path),
            (":authority", connection.target.authority), ("content-type", GRPCHeaderName.grpcContentType),
            ("te", "trailers"), ("user-agent", "bbs-rpc-swift/1.0"),
        ])
        var nioDeadline: NIODeadline?
        if let deadline {
            let remaining = deadline - ContinuousClock.now
            guard remaining > .zero else {
                throw RPCError.client(.deadlineExceeded, "deadline exceeded before the call started", .notSent)
            }
            headers.add(name: GRPCHeaderName.timeout, value: GRPCTimeout(duration: remaining).headerValue)
            nioDeadline = .now() + TimeAmount(remaining)
        }
        options.metadata.appendHeaders(to: &headers)

        let call = ClientCall(eventLoop: connection.eventLoop)
        let finalHeaders = headers
        return try await withTaskCancellationHandler {
            do {
                if Task.isCancelled { throw RPCError.client(.cancelled, "the call was cancelled", .notSent) }
                do {
                    try await startStream(connection, finalHeaders, call, deadline, nioDeadline)
                } catch {
                    // A stream that opens after all (connection slower than the deadline) is reset at
                    // once, before the body writes a request message: nothing of the request was sent.
                    let failure = Self.notSent(error)
                    call.cancel(failure)
                    call.release()
                    throw failure
                }
                defer { call.release() }
                return try await body(call)
            } catch let error as RPCError {
                throw error
            } catch let error as BodyError {
                throw error
            } catch is CancellationError {
                throw RPCError.client(.cancelled, "the call was cancelled", .maybeSent)
            } catch {
                throw RPCError.client(.unavailable, "\(error)", .maybeSent)
            }
        } onCancel: {
            call.cancel(.client(.cancelled, "the call was cancelled", .maybeSent))
        }
    }

    /// The error of a call whose stream did not start: the connection's own `RPCError` (which
    /// says whether the client could send at all), else a not-sent error for what happened.
    private static func notSent(_ error: any Error) -> RPCError {
        switch error {
        case let error as RPCError where error.delivery == .cannotSend: error
        case let error as RPCError: error.delivered(.notSent)
        case is CancellationError: .client(.cancelled, "the call was cancelled", .notSent)
        default: .client(.unavailable, "\(error)", .notSent)
        }
    }

    /// Opens the call's stream, connecting first if needed, bounded by the deadline and by
    /// task cancellation (neither of which a connection attempt observes by itself: the attempt
    /// goes on in the background, and a stream it opens late is reset by `ClientCall.attach`).
    private func startStream(
        _ connection: ClientConnection, _ headers: HTTP2Headers, _ call: ClientCall,
        _ deadline: ContinuousClock.Instant?, _ nioDeadline: NIODeadline?
    ) async throws {
        let maxReceive = configuration.maxReceiveMessageSize
        if connection.isProbablyReady {
            try await connection.startStream(
                headers, call: call, maxReceiveMessageSize: maxReceive, deadline: nioDeadline)
            return
        }
        let outcome = FirstOutcome()
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                outcome.set(continuation)
                let timer = deadline.map { deadline in
                    Task {
                        try await Task.sleep(until: deadline, clock: .continuous)
                        outcome.resume(
                            .failure(RPCError.client(.deadlineExceeded, "deadline exceeded while connecting", .notSent))
                        )
                    }
                }
                Task {
                    do {
                        try await connection.startStream(
                            headers, call: call, maxReceiveMessageSize: maxReceive, deadline: nioDeadline)
                        outcome.resume(.success(()))
                    } catch {
                        outcome.resume(.failure(error))
                    }
                    timer?.cancel()
                }
            }
        } onCancel: {
            outcome.resume(.failure(RPCError.client(.cancelled, "the call was cancelled", .notSent)))
        }
    }

    private static func decode<Message: SwiftProtobuf.Message>(_ buffer: ByteBuffer, as: Message.Type) throws -> Message
    {
        do {
            return try Message(serializedBytes: Array(buffer.readableBytesView))
        } catch {
            // The server ran the call to its end: its answer is what cannot be read.
            throw RPCError.client(
                .internal, "cannot decode the response as \(Message.protoMessageName): \(error)", .answered)
        }
    }

    private static func singleResponse<Message: SwiftProtobuf.Message>(
        of call: ClientCall, as type: Message.Type
    ) async throws -> ClientResponse<Message> {
        guard let first = try await call.nextMessage() else {
            throw RPCError.client(.internal, "the server ended the call without a response message", .answered)
        }
        guard try await call.nextMessage() == nil else {
            throw RPCError.client(.internal, "the server sent more than one response message", .answered)
        }
        return ClientResponse(
            message: try decode(first, as: type), initialMetadata: call.initialMetadata,
            trailingMetadata: call.trailingMetadata)
    }

    private static func responseStream<Message: SwiftProtobuf.Message>(
        of call: ClientCall, as type: Message.Type
    ) -> RPCMessageStream<Message> {
        RPCMessageStream {
            {
                guard let buffer = try await call.nextMessage() else { return nil }
                return try decode(buffer, as: type)
            }
        }
    }

    private static func requestWriter<Message: SwiftProtobuf.Message>(for call: ClientCall) -> RPCWriter<Message> {
        RPCWriter { message in try await call.write(try frame(message, delivery: .maybeSent)) }
    }

    /// Frames one request message; one that cannot be encoded fails the call with `delivery`
    /// (nothing sent for a single request; earlier messages of a stream may have gone out).
    static func frame(
        _ message: some SwiftProtobuf.Message, delivery: RPCError.Delivery
    ) throws(RPCError) -> ByteBuffer {
        do {
            return try MessageFramer.frame(message)
        } catch {
            throw error.delivered(delivery)
        }
    }
}

/// An error thrown by the caller's own `body`: passed through untouched by the retry policies.
struct BodyError: Error {
    var error: any Error
}

extension RPCClient {
    /// Runs the caller's `body`: the call's own errors stay `RPCError`s (a cancelled sleep in a
    /// cancelled call is the call's CANCELLED or DEADLINE_EXCEEDED); anything else the caller
    /// threw is carried out untouched as a `BodyError`.
    static func callerCode<T>(_ call: ClientCall, _ body: () async throws -> T) async throws -> T {
        do {
            return try await body()
        } catch let error as RPCError {
            throw error
        } catch is CancellationError {
            if case .failed(let error)? = call.outcome { throw error }
            throw RPCError.client(.cancelled, "the call was cancelled", .maybeSent)
        } catch {
            throw BodyError(error: error)
        }
    }

    /// Rethrows a caller's own error as it was thrown.
    static func unwrappingCallerErrors<T>(_ body: () async throws -> T) async throws -> T {
        do {
            return try await body()
        } catch let error as BodyError {
            throw error.error
        }
    }
}

/// Resumes a continuation with whichever outcome comes first (stream opened, deadline, cancel).
private final class FirstOutcome: Sendable {
    private let state = NIOLockedValueBox<(CheckedContinuation<Void, any Error>?, Result<Void, any Error>?)>((nil, nil))

    func set(_ continuation: CheckedContinuation<Void, any Error>) {
        let early = state.withLockedValue { state -> Result<Void, any Error>? in
            if let result = state.1 { return result }
            state.0 = continuation
            return nil
        }
        if let early { continuation.resume(with: early) }
    }

    func resume(_ result: Result<Void, any Error>) {
        let continuation = state.withLockedValue { state -> CheckedContinuation<Void, any Error>? in
            guard state.1 == nil else { return nil }
            state.1 = result
            defer { state.0 = nil }
            return state.0
        }
        continuation?.resume(with: result)
    }
}
