import HTTP2
import NIOCore

/// The response side of one client call as a plain state machine: response headers, messages,
/// then a status from the trailers (or a trailers-only answer, or an HTTP status).
///
/// Exists so the rules for reading a gRPC response (what counts as a status, how a non-200
/// answer or a reset maps to a code) are testable without a connection. It does no I/O: each
/// event returns what the stream handler must do.
struct ClientCallStateMachine {
    enum State {
        case awaitingHeaders
        case receivingMessages
        case finished
    }

    /// What the handler does after a header block.
    enum HeadersAction: Equatable {
        /// Response headers: deliver initial metadata and wait for messages.
        case deliverInitialMetadata(Metadata)
        /// The call ended (trailers, trailers-only, or a non-200 answer). `reset` when the
        /// stream is still open on our side and should be reset (e.g. headers without END_STREAM).
        case finish(CallOutcome, reset: Bool)
        /// Nothing to do (an informational 1xx block).
        case none
    }

    /// What the handler does after a DATA chunk.
    enum DataAction {
        case deliver([MessageDeframer.Message], finished: CallOutcome?)
        case fail(RPCError)
    }

    /// How a call ended, as seen by the client.
    enum CallOutcome: Equatable {
        case ok(trailingMetadata: Metadata)
        case failed(RPCError)
    }

    private(set) var state: State = .awaitingHeaders
    private var deframer: MessageDeframer

    init(maxReceiveMessageSize: Int) {
        self.deframer = MessageDeframer(maxMessageSize: maxReceiveMessageSize)
    }

    var isFinished: Bool { if case .finished = state { true } else { false } }

    mutating func receiveHeaders(_ headers: HTTP2Headers, endStream: Bool) -> HeadersAction {
        switch state {
        case .awaitingHeaders:
            return receiveResponseHeaders(headers, endStream: endStream)
        case .receivingMessages:
            guard endStream else {
                state = .finished
                return .finish(
                    .failed(.client(.internal, "server sent a second header block without END_STREAM", .maybeSent)),
                    reset: true)
            }
            state = .finished
            if let error = trailingError() { return .finish(.failed(error), reset: false) }
            return .finish(Self.outcome(fromTrailers: headers, httpAnswer: nil), reset: false)
        case .finished:
            return .none
        }
    }

    mutating func receiveData(_ data: ByteBuffer, endStream: Bool) -> DataAction {
        guard case .receivingMessages = state else {
            if case .finished = state { return .deliver([], finished: nil) }
            state = .finished
            return .fail(.client(.internal, "server sent DATA before response headers", .maybeSent))
        }
        deframer.append(data)
        var messages: [MessageDeframer.Message] = []
        do {
            while let message = try deframer.next() {
                guard !message.compressed else {
                    state = .finished
                    return .fail(
                        .client(.internal, "server sent a compressed message without grpc-encoding", .maybeSent))
                }
                messages.append(message)
            }
        } catch {
            state = .finished
            return .fail(error.delivered(.maybeSent))
        }
        guard endStream else { return .deliver(messages, finished: nil) }
        state = .finished
        return .deliver(
            messages,
            finished: .failed(
                trailingError()
                    ?? .client(.internal, "server ended the stream without trailers (no grpc-status)", .maybeSent)))
    }

    /// The peer reset the stream (or the connection went away). Only REFUSED_STREAM says the
    /// server did not process the stream (RFC 9113 §8.7; nghttp2 also closes the streams above a
    /// GOAWAY's last stream id with it): every other reset came after the request may have arrived.
    mutating func receiveReset(errorCode: UInt32) -> RPCError? {
        guard !isFinished else { return nil }
        state = .finished
        switch errorCode {
        case HTTP2ErrorCode.cancel:
            return .client(.cancelled, "stream cancelled by the server (RST_STREAM CANCEL)", .maybeSent)
        case HTTP2ErrorCode.refusedStream:
            return .client(.unavailable, "stream refused by the server (RST_STREAM REFUSED_STREAM)", .notSent)
        case HTTP2ErrorCode.enhanceYourCalm:
            return .client(.resourceExhausted, "server reset the stream: ENHANCE_YOUR_CALM", .maybeSent)
        case HTTP2ErrorCode.noError:
            return .client(.internal, "server reset the stream (NO_ERROR) before sending a status", .maybeSent)
        default:
            return .client(.unavailable, "stream reset by the server (HTTP/2 error \(errorCode))", .maybeSent)
        }
    }

    /// The stream closed; an error if no status was seen.
    mutating func streamClosed() -> RPCError? {
        guard !isFinished else { return nil }
        state = .finished
        return .client(.unavailable, "the connection closed before the call ended", .maybeSent)
    }

    /// Local end (deadline, cancellation): no more events matter.
    mutating func finishLocally() { state = .finished }

    // MARK: - Header blocks

    private mutating func receiveResponseHeaders(_ headers: HTTP2Headers, endStream: Bool) -> HeadersAction {
        guard let statusText = headers[":status"], let httpStatus = Int(statusText) else {
            state = .finished
            return .finish(
                .failed(.client(.internal, "response headers without a valid :status", .maybeSent)),
                reset: !endStream)
        }
        if (100..<200).contains(httpStatus) { return .none }
        guard httpStatus == 200 else {
            state = .finished
            let answer = RPCError.HTTPAnswer(
                status: httpStatus,
                headers: headers.fields.filter { $0.name == "location" || $0.name == "retry-after" })
            if headers[GRPCHeaderName.status] != nil {
                return .finish(Self.outcome(fromTrailers: headers, httpAnswer: answer), reset: !endStream)
            }
            let code = HTTPStatusMapping.code(forHTTPStatus: httpStatus)
            let metadata = (try? Metadata(headers: headers)) ?? Metadata()
            return .finish(
                .failed(
                    RPCError(
                        code: code, message: "received HTTP status \(httpStatus) without grpc-status",
                        metadata: metadata, httpAnswer: answer)),
                reset: !endStream)
        }
        if endStream {
            state = .finished
            return .finish(Self.outcome(fromTrailers: headers, httpAnswer: nil), reset: false)
        }
        guard let contentType = headers[GRPCHeaderName.contentType],
            GRPCHeaderName.isGRPCContentType(contentType)
        else {
            state = .finished
            let shown = headers[GRPCHeaderName.contentType] ?? "none"
            return .finish(
                .failed(.client(.unknown, "response content-type is not application/grpc: \(shown)", .maybeSent)),
                reset: true)
        }
        if let encoding = headers[GRPCHeaderName.encoding], encoding != "identity" {
            state = .finished
            return .finish(
                .failed(
                    .client(.internal, "server used grpc-encoding \(encoding), which was not asked for", .maybeSent)),
                reset: true)
        }
        do {
            let metadata = try Metadata(headers: headers)
            state = .receivingMessages
            return .deliverInitialMetadata(metadata)
        } catch {
            state = .finished
            return .finish(.failed(error.delivered(.maybeSent)), reset: true)
        }
    }

    /// Data that ended mid-message is an error regardless of the status.
    private func trailingError() -> RPCError? {
        do { try deframer.finish() } catch { return error.delivered(.maybeSent) }
        return nil
    }

    /// The call's outcome from a block holding `grpc-status` (trailers or trailers-only): the
    /// server's answer, or `.maybeSent` when the block is malformed.
    static func outcome(fromTrailers headers: HTTP2Headers, httpAnswer: RPCError.HTTPAnswer?) -> CallOutcome {
        let metadata: Metadata
        do {
            metadata = try Metadata(headers: headers)
        } catch {
            return .failed(error.delivered(.maybeSent))
        }
        guard let statusText = headers[GRPCHeaderName.status] else {
            return .failed(
                RPCError(
                    code: .internal, message: "trailers without grpc-status", metadata: metadata, delivery: .maybeSent))
        }
        guard let number = Int(statusText.trimmingSpaces), let code = RPCStatus.Code(rawValue: number) else {
            return .failed(
                RPCError(
                    code: .unknown, message: "invalid grpc-status \(statusText)", metadata: metadata,
                    delivery: .maybeSent))
        }
        let message = headers[GRPCHeaderName.message].map(StatusMessageEncoding.decode) ?? ""
        if code == .ok { return .ok(trailingMetadata: metadata) }
        return .failed(RPCError(code: code, message: message, metadata: metadata, httpAnswer: httpAnswer))
    }
}

extension String {
    fileprivate var trimmingSpaces: Substring {
        var result = Substring(self)
        while result.first == " " { result = result.dropFirst() }
        while result.last == " " { result = result.dropLast() }
        return result
    }
}
