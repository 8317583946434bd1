import HTTP2
import NIOCore

/// The gRPC rules of one server call, as a plain value: request headers and DATA in, header
/// blocks to send and request messages to deliver out. Does no I/O.
///
/// Exists so every protocol rule of the server side (validation of the request head, framing,
/// encodings, size limits, unary message counts, trailers-only vs. headers + trailers) is tested
/// without a channel; `ServerStreamHandler` only performs the actions it returns.
///
/// The answers to bad requests (grpc-go's choices where the spec leaves room):
/// - `:method` other than POST: HTTP 405 with grpc-status INTERNAL;
/// - content-type not `application/grpc[+proto]`: HTTP 415 with grpc-status INVALID_ARGUMENT
///   (the spec's 415; the grpc-status tells gRPC clients why);
/// - unknown `:path`: accepted as a bidirectional call of a method that `RPCRouter` answers with
///   UNIMPLEMENTED naming the path, after the interceptors ran (a gate answering 503 while the
///   store migrates, or a redirect to the master, answers every call); without interceptors it
///   is refused here at once (`acceptsUnknownMethods` false);
/// - `grpc-encoding` other than identity/gzip: UNIMPLEMENTED with `grpc-accept-encoding: identity,gzip`;
/// - malformed `grpc-timeout`, bad `-bin` metadata, a compressed flag without an encoding, a
///   message cut short by END_STREAM, and zero or several messages on a unary or
///   server-streaming call: INTERNAL (the spec's status for protocol errors);
/// - a message over the receive limit (before or after gzip): RESOURCE_EXHAUSTED;
/// - a request that does not decode (in the router): INVALID_ARGUMENT naming the message type.
struct ServerCallStateMachine {
    /// What the request head asked for, once it passed validation.
    struct RequestHead {
        /// For an unknown path, `MethodDescriptor(path:)` when it parses, else an empty service
        /// with the whole raw path as the method name.
        var method: MethodDescriptor
        var kind: RPCKind
        /// The raw `:path` when no route has it; the call then runs the UNIMPLEMENTED body.
        var unknownPath: String?
        var metadata: Metadata
        var timeout: Duration?
    }

    enum HeadersAction {
        /// Answer with this single header block (END_STREAM) and stop.
        case reject(HTTP2Headers)
        /// Start the call.
        case accept(RequestHead)
    }

    enum DataAction: Equatable {
        case none
        /// Streaming requests: messages to queue for the handler, and whether the request ended.
        case deliver([ByteBuffer], requestEnded: Bool)
        /// Unary and server-streaming: the one request message, complete.
        case startHandler(request: ByteBuffer)
        /// A protocol or limit error: send this header block (END_STREAM) and cancel the handler.
        case fail(HTTP2Headers, RPCStatus)
    }

    private enum Phase {
        case awaitingHead
        case receiving
        /// The request is complete (END_STREAM seen); the response may still be going out.
        case requestClosed
        /// The status went out (or the stream was reset): nothing more is sent.
        case finished
    }

    private enum Encoding { case identity, gzip }

    private var phase = Phase.awaitingHead
    private var kind = RPCKind.unary
    private var encoding = Encoding.identity
    private var deframer: MessageDeframer
    private var unaryRequest: ByteBuffer?
    private(set) var responseHeadersSent = false
    private let maxReceiveMessageSize: Int
    private let acceptsUnknownMethods: Bool

    /// `acceptsUnknownMethods`: accept a head whose path has no route (as a bidirectional call,
    /// so the interceptors see it); otherwise refuse it with UNIMPLEMENTED at once.
    init(maxReceiveMessageSize: Int, acceptsUnknownMethods: Bool = false) {
        self.maxReceiveMessageSize = maxReceiveMessageSize
        self.acceptsUnknownMethods = acceptsUnknownMethods
        self.deframer = MessageDeframer(maxMessageSize: maxReceiveMessageSize)
    }

    /// Whether the status has gone out (or the stream was reset).
    var isFinished: Bool { if case .finished = phase { true } else { false } }

    // MARK: - Request

    /// Validates the request head: `:method`, `content-type`, `:path` (through `lookup`, which
    /// maps a path to its method and kind), `grpc-encoding`, `grpc-timeout` and metadata.
    mutating func receiveHeaders(
        _ headers: HTTP2Headers, lookup: (String) -> (MethodDescriptor, RPCKind)?
    ) -> HeadersAction {
        guard case .awaitingHead = phase else {
            return .reject(finish(RPCStatus(code: .internal, message: "unexpected second request header block")))
        }
        var method: String?
        var path: String?
        var contentType: String?
        var encodingValue: String?
        var timeoutValue: String?
        for (name, value) in headers {
            switch name {
            case ":method": method = value
            case ":path": path = value
            case GRPCHeaderName.contentType: contentType = value
            case GRPCHeaderName.encoding: encodingValue = value
            case GRPCHeaderName.timeout: timeoutValue = value
            default: break
            }
        }
        // Transport-level refusals first, with the HTTP status grpc-go uses (clients map a
        // grpc-status when present, the HTTP status otherwise).
        guard method == "POST" else {
            return .reject(
                finish(
                    RPCStatus(code: .internal, message: "gRPC requires :method POST, got \(method ?? "none")"),
                    httpStatus: 405))
        }
        guard let contentType, GRPCHeaderName.isGRPCContentType(contentType) else {
            return .reject(
                finish(
                    RPCStatus(
                        code: .invalidArgument,
                        message: "invalid gRPC request content-type \"\(contentType ?? "")\""),
                    httpStatus: 415))
        }
        let descriptor: MethodDescriptor
        let kind: RPCKind
        var unknownPath: String?
        if let path, let (found, foundKind) = lookup(path) {
            (descriptor, kind) = (found, foundKind)
        } else if acceptsUnknownMethods {
            let raw = path ?? ""
            // Bidirectional: the body starts at once and never waits for request messages.
            (descriptor, kind, unknownPath) = (Self.descriptor(forUnknownPath: raw), .bidirectionalStreaming, raw)
        } else {
            return .reject(finish(Self.unimplemented(path: path)))
        }
        switch encodingValue {
        case nil, "identity": encoding = .identity
        case "gzip": encoding = .gzip
        case let other?:
            var headers = finishHeaders(
                RPCStatus(code: .unimplemented, message: "grpc-encoding \"\(other)\" is not supported"))
            headers.add(name: GRPCHeaderName.acceptEncoding, value: GRPCHeaderName.supportedEncodings)
            return .reject(headers)
        }
        var timeout: Duration?
        if let timeoutValue {
            guard let parsed = GRPCTimeout(headerValue: timeoutValue) else {
                return .reject(
                    finish(RPCStatus(code: .internal, message: "malformed grpc-timeout \"\(timeoutValue)\"")))
            }
            timeout = parsed.duration
        }
        let metadata: Metadata
        do {
            metadata = try Metadata(headers: headers)
        } catch {
            return .reject(finish(error.status))
        }
        self.kind = kind
        phase = .receiving
        return .accept(
            RequestHead(
                method: descriptor, kind: kind, unknownPath: unknownPath, metadata: metadata, timeout: timeout))
    }

    /// The status for a path that no route has.
    static func unimplemented(path: String?) -> RPCStatus {
        let shown = path.map { $0.isEmpty ? "(empty :path)" : $0 } ?? "(no :path)"
        return RPCStatus(code: .unimplemented, message: "unknown method \(shown)")
    }

    /// What `ServerContext.method` shows for a path that no route has.
    static func descriptor(forUnknownPath path: String) -> MethodDescriptor {
        MethodDescriptor(path: path) ?? MethodDescriptor(service: "", method: path)
    }

    /// A DATA chunk (possibly empty with `endStream`), or END_STREAM on a trailing header block.
    mutating func receiveData(_ chunk: ByteBuffer, endStream: Bool) -> DataAction {
        guard case .receiving = phase else { return .none }
        deframer.append(chunk)
        var messages: [ByteBuffer] = []
        do {
            while let message = try deframer.next() {
                let payload = try decode(message)
                if isUnaryRequest {
                    guard unaryRequest == nil else {
                        return fail(
                            RPCStatus(code: .internal, message: "\(kindName) call sent more than one request message"))
                    }
                    unaryRequest = payload
                } else {
                    messages.append(payload)
                }
            }
            if endStream { try deframer.finish() }
        } catch {
            return fail(error.status)
        }
        guard endStream else {
            return messages.isEmpty ? .none : .deliver(messages, requestEnded: false)
        }
        phase = .requestClosed
        if isUnaryRequest {
            guard let request = unaryRequest else {
                return fail(RPCStatus(code: .internal, message: "\(kindName) call ended without a request message"))
            }
            unaryRequest = nil
            return .startHandler(request: request)
        }
        return .deliver(messages, requestEnded: true)
    }

    private var isUnaryRequest: Bool { kind == .unary || kind == .serverStreaming }

    private var kindName: String { kind == .unary ? "unary" : "server-streaming" }

    private func decode(_ message: MessageDeframer.Message) throws(RPCError) -> ByteBuffer {
        guard message.compressed else { return message.payload }
        switch encoding {
        case .identity:
            throw RPCError(code: .internal, message: "compressed message received without a grpc-encoding")
        case .gzip:
            return try Gzip.decompress(message.payload, limit: maxReceiveMessageSize)
        }
    }

    private mutating func fail(_ status: RPCStatus) -> DataAction {
        .fail(finish(status), status)
    }

    /// The peer reset the stream. Returns whether the call was still running (handler to cancel).
    mutating func receiveReset() -> Bool {
        let wasRunning = !isFinished
        phase = .finished
        return wasRunning
    }

    // MARK: - Response

    /// Response headers, if not sent yet and the call still runs: `:status 200`, content-type,
    /// accepted encodings and the initial metadata.
    mutating func responseHeaders(initialMetadata: Metadata) -> HTTP2Headers? {
        guard !isFinished, !responseHeadersSent, phase != .awaitingHead else { return nil }
        responseHeadersSent = true
        var headers = HTTP2Headers()
        headers.add(name: ":status", value: "200")
        headers.add(name: GRPCHeaderName.contentType, value: GRPCHeaderName.grpcContentType)
        headers.add(name: GRPCHeaderName.acceptEncoding, value: GRPCHeaderName.supportedEncodings)
        initialMetadata.appendHeaders(to: &headers)
        return headers
    }

    /// Whether a response message may be sent now (headers first if `responseHeaders` is non-nil).
    var canSendMessage: Bool { !isFinished && phase != .awaitingHead }

    /// The closing header blocks: trailers after headers, or one trailers-only block. When the
    /// status is OK and initial metadata is set but no headers went out, headers are sent first so
    /// the client sees the initial metadata as such. Empty when the call already finished.
    mutating func finish(
        status: RPCStatus, initialMetadata: Metadata, trailingMetadata: Metadata,
        httpAnswer: RPCError.HTTPAnswer? = nil
    ) -> [HTTP2Headers] {
        guard !isFinished else { return [] }
        var blocks: [HTTP2Headers] = []
        if httpAnswer == nil, !responseHeadersSent, status.code == .ok, !initialMetadata.isEmpty,
            let headers = responseHeaders(initialMetadata: initialMetadata)
        {
            blocks.append(headers)
        }
        if responseHeadersSent {
            phase = .finished
            var trailers = HTTP2Headers()
            Self.appendStatus(status, to: &trailers)
            trailingMetadata.appendHeaders(to: &trailers)
            blocks.append(trailers)
        } else {
            var headers = finishHeaders(status, httpAnswer: httpAnswer)
            trailingMetadata.appendHeaders(to: &headers)
            blocks.append(headers)
        }
        return blocks
    }

    /// Ends the call without a status (deadline already answered, or reset).
    mutating func abandon() { phase = .finished }

    // MARK: - Header blocks

    /// A trailers-only block (or trailers, if headers went out) for `status`; moves to finished.
    private mutating func finish(_ status: RPCStatus, httpStatus: Int = 200) -> HTTP2Headers {
        finishHeaders(
            status, httpAnswer: httpStatus == 200 ? nil : RPCError.HTTPAnswer(status: httpStatus, headers: []))
    }

    private mutating func finishHeaders(_ status: RPCStatus, httpAnswer: RPCError.HTTPAnswer? = nil) -> HTTP2Headers {
        var headers = HTTP2Headers()
        if !responseHeadersSent {
            headers.add(name: ":status", value: String(httpAnswer?.status ?? 200))
            headers.add(name: GRPCHeaderName.contentType, value: GRPCHeaderName.grpcContentType)
            for (name, value) in httpAnswer?.headers ?? [] { headers.add(name: name, value: value) }
        }
        phase = .finished
        Self.appendStatus(status, to: &headers)
        return headers
    }

    private static func appendStatus(_ status: RPCStatus, to headers: inout HTTP2Headers) {
        headers.add(name: GRPCHeaderName.status, value: String(status.code.rawValue))
        if !status.message.isEmpty {
            headers.add(name: GRPCHeaderName.message, value: StatusMessageEncoding.encode(status.message))
        }
    }
}
