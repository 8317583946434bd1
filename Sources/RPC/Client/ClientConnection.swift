import HTTP2
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import TLS

/// One HTTP/2 connection to a target, opened on first use and reopened on the next call after
/// it drops (or after the server's GOAWAY).
///
/// Exists so calls never hold a dead connection: every call asks for a live `HTTP2Connection`
/// on this connection's event loop, and connecting, being ready and having closed are states
/// that only that loop touches.
final class ClientConnection: Sendable {
    let target: ClientTarget
    let eventLoop: any EventLoop
    private let tls: TLSContext?
    private let serverName: String?
    private let settings: HTTP2Settings
    private let connectTimeout: TimeAmount
    private let state: NIOLoopBoundBox<State>
    /// The last error the pipeline reported (e.g. the TLS alert), for the calls' error messages.
    private let lastError = NIOLockedValueBox<String?>(nil)
    private let readyHint = NIOLockedValueBox(false)

    /// Whether a live HTTP/2 connection was there a moment ago: calls then skip the machinery
    /// that bounds a connection attempt by the deadline.
    var isProbablyReady: Bool { readyHint.withLockedValue { $0 } }

    private enum State {
        case idle
        case connecting(EventLoopFuture<Void>)
        case ready(HTTP2Connection, any Channel)
        case closed
    }

    init(
        target: ClientTarget, eventLoop: any EventLoop, tls: TLSContext?, serverName: String?,
        settings: HTTP2Settings, connectTimeout: Duration
    ) {
        self.target = target
        self.eventLoop = eventLoop
        self.tls = tls
        self.serverName = serverName
        self.settings = settings
        self.connectTimeout = TimeAmount(connectTimeout)
        self.state = NIOLoopBoundBox.makeBoxSendingValue(State.idle, as: State.self, eventLoop: eventLoop)
    }

    /// Opens a stream for `call` (connecting first if needed) and returns once the stream exists.
    func startStream(
        _ headers: HTTP2Headers, call: ClientCall, maxReceiveMessageSize: Int, deadline: NIODeadline?
    ) async throws {
        try await eventLoop.flatSubmit { [self] in
            self.liveConnection().assumeIsolated().flatMapThrowing { connection in
                let lastError = self.lastError
                let handler = ClientStreamHandler(
                    call: call, maxReceiveMessageSize: maxReceiveMessageSize,
                    highWatermark: self.settings.streamHighWatermark,
                    lossReason: { lastError.withLockedValue { $0 } })
                guard let streamID = connection.startStream(headers, endStream: false, handler: handler) else {
                    self.forget(connection)
                    throw RPCError.client(.unavailable, "connection to \(self.target) cannot open streams", .notSent)
                }
                handler.started(streamID: streamID, connection: connection, deadline: deadline)
                call.attach(handler)
            }.nonisolated()
        }.get()
    }

    /// Closes the connection (calls in flight fail), and refuses to reconnect.
    func close() async {
        let channel: (any Channel)? = try? await eventLoop.submit { [self] () -> (any Channel)? in
            defer {
                self.state.value = .closed
                self.readyHint.withLockedValue { $0 = false }
            }
            if case .ready(_, let channel) = self.state.value { return channel }
            return nil
        }.get()
        try? await channel?.close()
    }

    // MARK: - On the loop

    private func liveConnection() -> EventLoopFuture<HTTP2Connection> {
        switch state.value {
        case .ready(let connection, _) where connection.isActive:
            return eventLoop.makeSucceededIsolatedFuture(connection).nonisolated()
        case .ready, .idle:
            let connecting = connect()
            state.value = .connecting(connecting)
            connecting.assumeIsolated().whenFailure { _ in
                // A failed attempt is forgotten: the next call tries again.
                if case .connecting(let current) = self.state.value, current === connecting { self.state.value = .idle }
            }
            return waitForReady(connecting)
        case .connecting(let connecting):
            return waitForReady(connecting)
        case .closed:
            return eventLoop.makeFailedFuture(RPCError.client(.unavailable, "the client is closed", .cannotSend))
        }
    }

    private func waitForReady(_ connecting: EventLoopFuture<Void>) -> EventLoopFuture<HTTP2Connection> {
        connecting.assumeIsolated().flatMapThrowing { () -> HTTP2Connection in
            guard case .ready(let connection, _) = self.state.value else {
                throw RPCError.client(.unavailable, "connection to \(self.target) closed while connecting", .notSent)
            }
            return connection
        }.nonisolated()
    }

    private func forget(_ connection: HTTP2Connection) {
        if case .ready(let current, _) = state.value, current === connection { becomeIdle() }
    }

    private func connect() -> EventLoopFuture<Void> {
        let ready = OncePromise(eventLoop.makePromise(of: Void.self))
        let lastError = self.lastError
        lastError.withLockedValue { $0 = nil }
        let target = self.target
        let tls = self.tls
        let serverName = self.serverName ?? (target.hostIsIPAddress ? target.host : target.host)
        let settings = self.settings
        let bootstrap = ClientBootstrap(group: eventLoop)
            .connectTimeout(connectTimeout)
            .channelOption(.socketOption(.so_reuseaddr), value: 1)
            .channelInitializer { [self] channel in
                channel.eventLoop.makeCompletedFuture {
                    let sync = channel.pipeline.syncOperations
                    if let tls { try sync.addHandler(TLSHandler(context: tls, serverName: serverName)) }
                    try sync.addHandler(
                        HTTP2ClientHandler(
                            settings: settings,
                            connectionReady: { connection in
                                self.connectionReady(connection, channel: channel)
                                ready.complete(.success(()))
                            },
                            connectionClosed: {
                                self.connectionClosed(channel: channel)
                                let reason = lastError.withLockedValue { $0 }.map { ": \($0)" } ?? ""
                                ready.complete(
                                    .failure(
                                        RPCError.client(
                                            .unavailable, "connection to \(target) closed before it was ready\(reason)",
                                            .notSent)))
                            }))
                    try sync.addHandler(ErrorRecorder { error in lastError.withLockedValue { $0 = "\(error)" } })
                }
            }
        bootstrap.connect(host: target.host, port: target.port).whenComplete { result in
            if case .failure(let error) = result {
                ready.complete(
                    .failure(RPCError.client(.unavailable, "cannot connect to \(target): \(error)", .notSent)))
            }
        }
        return ready.futureResult
    }

    private func connectionReady(_ connection: HTTP2Connection, channel: any Channel) {
        guard case .connecting = state.value else {
            // Closed by `close()` meanwhile.
            channel.close(promise: nil)
            return
        }
        state.value = .ready(connection, channel)
        readyHint.withLockedValue { $0 = true }
    }

    private func connectionClosed(channel: any Channel) {
        if case .ready(_, let current) = state.value, current === channel { becomeIdle() }
    }

    private func becomeIdle() {
        state.value = .idle
        readyHint.withLockedValue { $0 = false }
    }
}

/// A promise completed by whichever of several callbacks comes first (ready, closed, connect failed).
private final class OncePromise: Sendable {
    private let promise: EventLoopPromise<Void>
    private let done = NIOLockedValueBox(false)

    init(_ promise: EventLoopPromise<Void>) { self.promise = promise }

    var futureResult: EventLoopFuture<Void> { promise.futureResult }

    func complete(_ result: Result<Void, any Error>) {
        let first = done.withLockedValue { done in
            defer { done = true }
            return !done
        }
        if first { promise.completeWith(result) }
    }
}

/// Keeps the last error the pipeline reported (a TLS alert, a protocol error), so a call that
/// loses its connection can say why.
private final class ErrorRecorder: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    private let record: (any Error) -> Void

    init(record: @escaping (any Error) -> Void) { self.record = record }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        record(error)
        context.fireErrorCaught(error)
    }
}
