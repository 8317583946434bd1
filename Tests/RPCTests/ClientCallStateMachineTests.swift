import HTTP2
import NIOCore
import Testing

@testable import RPC

/// The response rules of a client call, without a connection.
@Suite("client call state machine")
struct ClientCallStateMachineTests {
    func machine() -> ClientCallStateMachine { ClientCallStateMachine(maxReceiveMessageSize: 1024) }

    func framed(_ bytes: [UInt8]) -> ByteBuffer {
        var buffer = ByteBuffer()
        MessageFramer.append(bytes, to: &buffer)
        return buffer
    }

    let okHeaders: HTTP2Headers = [":status": "200", "content-type": "application/grpc", "x-one": "1"]

    @Test("headers, messages split across chunks, then OK trailers with metadata")
    func normalCall() throws {
        var machine = machine()
        #expect(machine.receiveHeaders(okHeaders, endStream: false) == .deliverInitialMetadata(["x-one": "1"]))
        var both = framed([1, 2, 3])
        var second = framed([4])
        both.writeBuffer(&second)
        let first = both.readSlice(length: 4)!
        guard case .deliver(let none, nil) = machine.receiveData(first, endStream: false) else {
            Issue.record("expected no message yet")
            return
        }
        #expect(none.isEmpty)
        guard case .deliver(let messages, nil) = machine.receiveData(both, endStream: false) else {
            Issue.record("expected two messages")
            return
        }
        #expect(messages.map { Array($0.payload.readableBytesView) } == [[1, 2, 3], [4]])
        let trailers: HTTP2Headers = ["grpc-status": "0", "x-trail": "t"]
        #expect(
            machine.receiveHeaders(trailers, endStream: true)
                == .finish(.ok(trailingMetadata: ["x-trail": "t"]), reset: false))
    }

    @Test("a trailers-only answer ends the call with its status and percent-decoded message")
    func trailersOnly() {
        var machine = machine()
        let headers: HTTP2Headers = [
            ":status": "200", "content-type": "application/grpc", "grpc-status": "5",
            "grpc-message": "no %C3%BC 100%25",
        ]
        #expect(
            machine.receiveHeaders(headers, endStream: true)
                == .finish(.failed(RPCError(code: .notFound, message: "no ü 100%")), reset: false))
    }

    @Test("a 307 with grpc-status keeps grpc-status and the location as the HTTP answer")
    func redirectAnswer() {
        var machine = machine()
        let headers: HTTP2Headers = [
            ":status": "307", "location": "https://m:1/a.B/C", "content-type": "application/grpc", "grpc-status": "14",
            "grpc-message": "not the master", "bbs-master-url": "https://m:1",
        ]
        guard case .finish(.failed(let error), reset: false) = machine.receiveHeaders(headers, endStream: true) else {
            Issue.record("expected a failed call")
            return
        }
        #expect(error.code == .unavailable)
        #expect(error.message == "not the master")
        #expect(error.httpAnswer == RPCError.HTTPAnswer(status: 307, headers: [("location", "https://m:1/a.B/C")]))
        #expect(error.metadata["bbs-master-url"] == "https://m:1")
    }

    @Test(
        "an HTTP status without grpc-status maps per the gRPC spec",
        arguments: [
            (400, RPCStatus.Code.internal), (401, .unauthenticated), (403, .permissionDenied), (404, .unimplemented),
            (429, .unavailable), (502, .unavailable), (503, .unavailable), (504, .unavailable), (500, .unknown),
            (307, .unknown),
        ])
    func httpStatusMapping(status: Int, code: RPCStatus.Code) {
        var machine = machine()
        let headers: HTTP2Headers = [":status": String(status)]
        guard case .finish(.failed(let error), _) = machine.receiveHeaders(headers, endStream: true) else {
            Issue.record("expected a failed call")
            return
        }
        #expect(error.code == code)
        #expect(error.httpAnswer?.status == status)
    }

    @Test("a response that is not application/grpc is UNKNOWN and the stream is reset")
    func wrongContentType() {
        var machine = machine()
        let headers: HTTP2Headers = [":status": "200", "content-type": "text/html"]
        guard case .finish(.failed(let error), reset: true) = machine.receiveHeaders(headers, endStream: false) else {
            Issue.record("expected a failed call with a reset")
            return
        }
        #expect(error.code == .unknown)
    }

    @Test("END_STREAM in the middle of a message is INTERNAL")
    func cutShort() {
        var machine = machine()
        _ = machine.receiveHeaders(okHeaders, endStream: false)
        var partial = framed([1, 2, 3, 4])
        partial.moveWriterIndex(to: 6)
        guard case .deliver(let messages, .failed(let error)?) = machine.receiveData(partial, endStream: true) else {
            Issue.record("expected a failure")
            return
        }
        #expect(messages.isEmpty)
        #expect(error.code == .internal)
    }

    @Test("a length prefix over the receive limit is RESOURCE_EXHAUSTED before buffering")
    func tooLarge() {
        var machine = machine()
        _ = machine.receiveHeaders(okHeaders, endStream: false)
        var prefix = ByteBuffer()
        prefix.writeInteger(UInt8(0))
        prefix.writeInteger(UInt32(100 << 20))
        guard case .fail(let error) = machine.receiveData(prefix, endStream: false) else {
            Issue.record("expected a failure")
            return
        }
        #expect(error.code == .resourceExhausted)
    }

    @Test(
        "a reset maps to a status; only REFUSED_STREAM says the request was not processed",
        arguments: [
            (HTTP2ErrorCode.cancel, RPCStatus.Code.cancelled, RPCError.Delivery.maybeSent),
            (HTTP2ErrorCode.refusedStream, .unavailable, .notSent),
            (HTTP2ErrorCode.enhanceYourCalm, .resourceExhausted, .maybeSent),
            (HTTP2ErrorCode.protocolError, .unavailable, .maybeSent), (HTTP2ErrorCode.noError, .internal, .maybeSent),
        ])
    func resetMapping(errorCode: UInt32, code: RPCStatus.Code, delivery: RPCError.Delivery) {
        var machine = machine()
        _ = machine.receiveHeaders(okHeaders, endStream: false)
        let error = machine.receiveReset(errorCode: errorCode)
        #expect(error?.code == code)
        #expect(error?.delivery == delivery)
        #expect(machine.receiveReset(errorCode: errorCode) == nil, "only the first end counts")
    }

    @Test("a status from the server is answered; a response the client cannot read may have been processed")
    func delivery() {
        var answered = machine()
        let trailersOnly: HTTP2Headers = [":status": "200", "content-type": "application/grpc", "grpc-status": "14"]
        guard case .finish(.failed(let status), _) = answered.receiveHeaders(trailersOnly, endStream: true) else {
            Issue.record("expected a failed call")
            return
        }
        #expect(status.delivery == .answered)

        var plainHTTP = machine()
        guard case .finish(.failed(let http), _) = plainHTTP.receiveHeaders([":status": "503"], endStream: true) else {
            Issue.record("expected a failed call")
            return
        }
        #expect(http.delivery == .answered, "an HTTP answer is the server's too")

        var malformed = machine()
        _ = malformed.receiveHeaders(okHeaders, endStream: false)
        guard case .finish(.failed(let noStatus), _) = malformed.receiveHeaders(["x": "y"], endStream: true) else {
            Issue.record("expected a failure")
            return
        }
        #expect(noStatus.delivery == .maybeSent)

        var closed = machine()
        _ = closed.receiveHeaders(okHeaders, endStream: false)
        #expect(closed.streamClosed()?.delivery == .maybeSent)
    }

    @Test("trailers without grpc-status are INTERNAL")
    func trailersWithoutStatus() {
        var machine = machine()
        _ = machine.receiveHeaders(okHeaders, endStream: false)
        guard case .finish(.failed(let error), _) = machine.receiveHeaders(["x": "y"], endStream: true) else {
            Issue.record("expected a failure")
            return
        }
        #expect(error.code == .internal)
    }
}
