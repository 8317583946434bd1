import HTTP2
import Logging
import NIOCore

/// Serves one gRPC call on one HTTP/2 stream: feeds stream events to `ServerCallStateMachine`,
/// performs its actions, and runs the handler in a Task.
///
/// Exists as the thin I/O shell around the state machine. Lives on the connection's event loop;
/// the handler task reaches it only through `NIOLoopBound` hops (`ServerCallHandle`).
final class ServerStreamHandler: HTTP2StreamHandler {
    private let environment: ServerCallEnvironment
    private let connectionInfo: ServerConnectionInfo
    private let streamID: HTTP2StreamID
    private var connection: HTTP2Connection?
    private var machine: ServerCallStateMachine
    private var route: ServerRoute?
    private var context: ServerContext?
    private var bridge: ServerCallBridge?
    private var task: Task<Void, Never>?
    private var deadlineTimer: Scheduled<Void>?
    private var handlerStarted = false
    private var handlerDone = false

    init(
        streamID: HTTP2StreamID, connection: HTTP2Connection, environment: ServerCallEnvironment,
        connectionInfo: ServerConnectionInfo
    ) {
        self.streamID = streamID
        self.connection = connection
        self.environment = environment
        self.connectionInfo = connectionInfo
        self.machine = ServerCallStateMachine(
            maxReceiveMessageSize: environment.maxReceiveMessageSize,
            acceptsUnknownMethods: !environment.interceptors.isEmpty)
    }

    func handle(_ event: HTTP2StreamEvent, streamID: HTTP2StreamID, connection: HTTP2Connection) {
        switch event {
        case .headers(let headers, let endStream):
            if route == nil && !machine.isFinished {
                receiveHead(headers, connection: connection)
            }
            if endStream { receiveData(ByteBuffer(), endStream: true, connection: connection) }
        case .data(let chunk, let endStream):
            receiveData(chunk, endStream: endStream, connection: connection)
        case .reset:
            deadlineTimer?.cancel()
            if machine.receiveReset() {
                bridge?.close(RPCError(code: .cancelled, message: "the client cancelled the call"))
                task?.cancel()
            }
        case .closed:
            deadlineTimer?.cancel()
            if !machine.isFinished || !handlerDone {
                machine.abandon()
                bridge?.close(RPCError(code: .cancelled, message: "the stream closed"))
                task?.cancel()
            }
            self.connection = nil
        case .writable:
            bridge?.resumeWriter()
        }
    }

    // MARK: - Request

    private func receiveHead(_ headers: HTTP2Headers, connection: HTTP2Connection) {
        let router = environment.router
        switch machine.receiveHeaders(
            headers, lookup: { path in router.route(forPath: path).map { ($0.method, $0.kind) } })
        {
        case .reject(let answer):
            connection.sendHeaders(streamID: streamID, answer, endStream: true)
        case .accept(let head):
            let route: ServerRoute
            if let path = head.unknownPath {
                route = ServerRoute.unimplemented(method: head.method, path: path)
            } else if let found = router.route(forPath: head.method.path) {
                route = found
            } else {
                return
            }
            self.route = route
            let now = ContinuousClock.now
            context = ServerContext(
                method: head.method, requestMetadata: head.metadata, peer: connectionInfo.peer,
                remoteAddress: connectionInfo.remoteAddress, deadline: head.timeout.map { now + $0 })
            if head.kind != .unary { bridge = ServerCallBridge() }
            if let timeout = head.timeout, timeout <= .zero {
                // Expired on arrival: answer at once rather than race the handler.
                deadlineExpired()
                return
            }
            if let timeout = head.timeout {
                deadlineTimer = connection.eventLoop.assumeIsolated().scheduleTask(in: TimeAmount(timeout)) {
                    self.deadlineExpired()
                }
            }
            if head.kind == .clientStreaming || head.kind == .bidirectionalStreaming {
                startHandler(request: nil, connection: connection)
            }
        }
    }

    private func receiveData(_ chunk: ByteBuffer, endStream: Bool, connection: HTTP2Connection) {
        let bytes = chunk.readableBytes
        var returnCredit = true
        switch machine.receiveData(chunk, endStream: endStream) {
        case .none:
            if let bridge, !machine.isFinished { returnCredit = bridge.admitPartial(creditBytes: bytes) }
        case .deliver(let messages, let ended):
            if let bridge { returnCredit = bridge.deliver(messages, ended: ended, creditBytes: bytes) }
        case .startHandler(let request):
            startHandler(request: request, connection: connection)
        case .fail(let answer, let status):
            deadlineTimer?.cancel()
            connection.sendHeaders(streamID: streamID, answer, endStream: true)
            if let held = bridge?.close(RPCError(code: status.code, message: status.message)), held > 0 {
                connection.consume(streamID: streamID, bytes: held)
            }
            task?.cancel()
        }
        if returnCredit && bytes > 0 { connection.consume(streamID: streamID, bytes: bytes) }
    }

    /// Credit held back by the bridge while the handler was behind.
    func returnCredit(_ bytes: Int) {
        guard let connection, !machine.isFinished else { return }
        connection.consume(streamID: streamID, bytes: bytes)
    }

    // MARK: - Handler

    private func startHandler(request: ByteBuffer?, connection: HTTP2Connection) {
        guard !handlerStarted, let route, let context else { return }
        handlerStarted = true
        let loop = connection.eventLoop
        let call = ServerCallHandle(
            bridge: bridge, eventLoop: loop, stream: NIOLoopBound(self, eventLoop: loop), unaryRequest: request,
            maxSendMessageSize: environment.maxSendMessageSize)
        let environment = self.environment
        let stream = call.stream
        // No promise and callback per call: the body hands its result to the loop itself, inline
        // when it finished there without suspending.
        let body: @Sendable () async -> Void = {
            let result: Result<ByteBuffer?, any Error>
            do {
                result = .success(try await environment.run(route, call: call, context: context))
            } catch {
                result = .failure(error)
            }
            if loop.inEventLoop {
                stream.value.handlerFinished(result)
            } else {
                loop.execute { stream.value.handlerFinished(result) }
            }
        }
        // Started immediately: a handler runs on this loop, inline, until it first suspends, so
        // one that answers without awaiting (Ping, a cached read) costs no thread hop. After a
        // suspension it continues on the cooperative pool, or on this loop when
        // `runsHandlersOnEventLoop` set an executor preference.
        let started: Task<Void, Never>
        if let executor = connectionInfo.executor {
            started = Task.immediate(executorPreference: executor, operation: body)
        } else {
            started = Task.immediate(operation: body)
        }
        if !handlerDone { task = started }
    }

    private func handlerFinished(_ result: Result<ByteBuffer?, any Error>) {
        handlerDone = true
        task = nil
        guard !machine.isFinished, let connection, let context else { return }
        deadlineTimer?.cancel()
        let initial = context.initialMetadata
        var trailing = context.trailingMetadata
        let blocks: [HTTP2Headers]
        switch result {
        case .success(let response):
            if let response {
                if let headers = machine.responseHeaders(initialMetadata: initial) {
                    connection.sendHeaders(streamID: streamID, headers, endStream: false)
                }
                connection.sendData(streamID: streamID, response, endStream: false)
            }
            blocks = machine.finish(status: .ok, initialMetadata: initial, trailingMetadata: trailing)
        case .failure(let error):
            let rpcError = answer(for: error)
            for (key, value) in rpcError.metadata {
                switch value {
                case .string(let text): trailing.add(key, text)
                case .binary(let bytes): trailing.add(key, bytes: bytes)
                }
            }
            blocks = machine.finish(
                status: rpcError.status, initialMetadata: initial, trailingMetadata: trailing,
                httpAnswer: rpcError.httpAnswer)
        }
        send(blocks, connection: connection)
        if let held = bridge?.close(RPCError(code: .cancelled, message: "the call has ended")), held > 0 {
            connection.consume(streamID: streamID, bytes: held)
        }
    }

    private func answer(for error: any Error) -> RPCError {
        if let error = error as? RPCError { return error }
        if error is CancellationError { return RPCError(code: .cancelled, message: "the call was cancelled") }
        environment.logger.error(
            "handler failed with a non-RPC error",
            metadata: ["method": "\(route?.method.path ?? "?")", "error": "\(String(reflecting: error))"])
        return RPCError(code: .unknown, message: "the handler failed with an unexpected error")
    }

    private func send(_ blocks: [HTTP2Headers], connection: HTTP2Connection) {
        for (index, block) in blocks.enumerated() {
            connection.sendHeaders(streamID: streamID, block, endStream: index == blocks.count - 1)
        }
    }

    private func deadlineExpired() {
        guard !machine.isFinished, let connection else { return }
        let blocks = machine.finish(
            status: RPCStatus(code: .deadlineExceeded, message: "deadline exceeded"),
            initialMetadata: Metadata(), trailingMetadata: context?.trailingMetadata ?? Metadata())
        send(blocks, connection: connection)
        if let held = bridge?.close(RPCError(code: .deadlineExceeded, message: "deadline exceeded")), held > 0 {
            connection.consume(streamID: streamID, bytes: held)
        }
        task?.cancel()
    }

    /// A response message from the handler task (already framed).
    func writeFromHandler(_ framed: ByteBuffer, _ continuation: CheckedContinuation<Void, any Error>) {
        guard machine.canSendMessage, let connection, let context, let bridge else {
            continuation.resume(
                throwing: bridge?.closedError ?? RPCError(code: .cancelled, message: "the call has ended"))
            return
        }
        if let headers = machine.responseHeaders(initialMetadata: context.initialMetadata) {
            connection.sendHeaders(streamID: streamID, headers, endStream: false)
        }
        connection.sendData(streamID: streamID, framed, endStream: false)
        if connection.queuedBytes(streamID: streamID) > environment.streamHighWatermark {
            bridge.parkWriter(continuation)
        } else {
            continuation.resume()
        }
    }
}
