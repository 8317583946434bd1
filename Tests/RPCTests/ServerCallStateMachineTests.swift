import HTTP2
import NIOCore
import Testing

@testable import RPC

@Suite("Server call state machine")
struct ServerCallStateMachineTests {
    static let echo = MethodDescriptor(service: "test.Echo", method: "Get")

    private func lookup(_ kind: RPCKind) -> (String) -> (MethodDescriptor, RPCKind)? {
        { $0 == Self.echo.path ? (Self.echo, kind) : nil }
    }

    private func request(
        path: String = "/test.Echo/Get", method: String = "POST", contentType: String = "application/grpc",
        extra: [(String, String)] = []
    ) -> HTTP2Headers {
        var headers: HTTP2Headers = [":method": method, ":scheme": "https", ":path": path]
        headers.add(name: "content-type", value: contentType)
        headers.add(name: "te", value: "trailers")
        for (name, value) in extra { headers.add(name: name, value: value) }
        return headers
    }

    private func framed(_ payloads: [[UInt8]]) -> ByteBuffer {
        var buffer = ByteBuffer()
        for payload in payloads { MessageFramer.append(payload, to: &buffer) }
        return buffer
    }

    private func accepted(
        _ kind: RPCKind = .unary, extra: [(String, String)] = [], maxSize: Int = 1024
    ) throws -> (ServerCallStateMachine, ServerCallStateMachine.RequestHead) {
        var machine = ServerCallStateMachine(maxReceiveMessageSize: maxSize)
        guard case .accept(let head) = machine.receiveHeaders(request(extra: extra), lookup: lookup(kind)) else {
            throw RPCError(code: .internal, message: "not accepted")
        }
        return (machine, head)
    }

    private func rejection(_ action: ServerCallStateMachine.HeadersAction) -> HTTP2Headers? {
        if case .reject(let headers) = action { return headers }
        return nil
    }

    private func failure(_ action: ServerCallStateMachine.DataAction) -> (HTTP2Headers, RPCStatus)? {
        if case .fail(let headers, let status) = action { return (headers, status) }
        return nil
    }

    @Test("a valid head is accepted with metadata and timeout")
    func acceptsHead() throws {
        let (_, head) = try accepted(extra: [("grpc-timeout", "250m"), ("x-user", "bob"), ("x-id-bin", "AQI")])
        #expect(head.method == Self.echo)
        #expect(head.timeout == .milliseconds(250))
        #expect(head.metadata["x-user"] == "bob")
        #expect(head.metadata.bytes("x-id-bin") == [1, 2])
        #expect(head.metadata.count == 2)
    }

    @Test("an unknown path is a trailers-only UNIMPLEMENTED naming the path")
    func unknownPath() throws {
        var machine = ServerCallStateMachine(maxReceiveMessageSize: 1024)
        let step1 = machine.receiveHeaders(request(path: "/test.Echo/Nope"), lookup: lookup(.unary))
        let headers = try #require(
            rejection(step1))
        #expect(headers[":status"] == "200")
        #expect(headers["content-type"] == "application/grpc")
        #expect(headers["grpc-status"] == "12")
        #expect(headers["grpc-message"]?.contains("/test.Echo/Nope") == true)
        #expect(machine.isFinished)
    }

    @Test("with interceptors, an unknown path is accepted as a bidirectional call for them to see")
    func unknownPathForInterceptors() throws {
        var machine = ServerCallStateMachine(maxReceiveMessageSize: 1024, acceptsUnknownMethods: true)
        let action = machine.receiveHeaders(request(path: "/test.Echo/Nope"), lookup: lookup(.unary))
        guard case .accept(let head) = action else {
            Issue.record("not accepted: \(action)")
            return
        }
        #expect(head.unknownPath == "/test.Echo/Nope")
        #expect(head.method == MethodDescriptor(service: "test.Echo", method: "Nope"))
        #expect(head.kind == .bidirectionalStreaming)
        #expect(!machine.isFinished)
        // Request messages are taken (queued for a body that never reads them), not refused.
        #expect(machine.receiveData(framed([[1]]), endStream: true) == .deliver([ByteBuffer(bytes: [1])], requestEnded: true))

        var odd = ServerCallStateMachine(maxReceiveMessageSize: 1024, acceptsUnknownMethods: true)
        guard case .accept(let oddHead) = odd.receiveHeaders(request(path: "nonsense"), lookup: lookup(.unary)) else {
            Issue.record("unparseable path not accepted")
            return
        }
        #expect(oddHead.unknownPath == "nonsense")
        #expect(oddHead.method == MethodDescriptor(service: "", method: "nonsense"))
        // Transport checks still come first.
        var wrongType = ServerCallStateMachine(maxReceiveMessageSize: 1024, acceptsUnknownMethods: true)
        let refused = rejection(
            wrongType.receiveHeaders(request(path: "/x.Y/Z", contentType: "text/plain"), lookup: lookup(.unary)))
        #expect(refused?[":status"] == "415")
    }

    @Test("a wrong content-type is HTTP 415 with INVALID_ARGUMENT")
    func wrongContentType() throws {
        var machine = ServerCallStateMachine(maxReceiveMessageSize: 1024)
        let step2 = machine.receiveHeaders(request(contentType: "application/json"), lookup: lookup(.unary))
        let headers = try #require(
            rejection(step2))
        #expect(headers[":status"] == "415")
        #expect(headers["grpc-status"] == "3")
    }

    @Test("a method other than POST is HTTP 405 with INTERNAL")
    func wrongMethod() throws {
        var machine = ServerCallStateMachine(maxReceiveMessageSize: 1024)
        let step3 = machine.receiveHeaders(request(method: "GET"), lookup: lookup(.unary))
        let headers = try #require(rejection(step3))
        #expect(headers[":status"] == "405")
        #expect(headers["grpc-status"] == "13")
    }

    @Test("an unsupported grpc-encoding is UNIMPLEMENTED with grpc-accept-encoding")
    func unsupportedEncoding() throws {
        var machine = ServerCallStateMachine(maxReceiveMessageSize: 1024)
        let step4 = machine.receiveHeaders(request(extra: [("grpc-encoding", "snappy")]), lookup: lookup(.unary))
        let headers = try #require(
            rejection(step4))
        #expect(headers["grpc-status"] == "12")
        #expect(headers["grpc-accept-encoding"] == "identity,gzip")
    }

    @Test("a malformed grpc-timeout is INTERNAL")
    func badTimeout() throws {
        var machine = ServerCallStateMachine(maxReceiveMessageSize: 1024)
        let step5 = machine.receiveHeaders(request(extra: [("grpc-timeout", "soon")]), lookup: lookup(.unary))
        let headers = try #require(
            rejection(step5))
        #expect(headers["grpc-status"] == "13")
    }

    @Test("a unary request split over chunks starts the handler at END_STREAM")
    func unarySplit() throws {
        var (machine, _) = try accepted()
        var wire = framed([[1, 2, 3, 4, 5, 6]])
        let first = wire.readSlice(length: 3)!
        let step6 = machine.receiveData(first, endStream: false)
        #expect(step6 == .none)
        let step7 = machine.receiveData(wire, endStream: false)
        #expect(step7 == .none)
        let step8 = machine.receiveData(ByteBuffer(), endStream: true)
        #expect(step8 == .startHandler(request: ByteBuffer(bytes: [1, 2, 3, 4, 5, 6])))
    }

    @Test("a unary call with no message is INTERNAL")
    func unaryNoMessage() throws {
        var (machine, _) = try accepted()
        let step9 = machine.receiveData(ByteBuffer(), endStream: true)
        let (headers, status) = try #require(failure(step9))
        #expect(status.code == .internal)
        #expect(headers["grpc-status"] == "13")
        #expect(headers[":status"] == "200")
    }

    @Test("a unary call with two messages is INTERNAL")
    func unaryTwoMessages() throws {
        var (machine, _) = try accepted()
        let step10 = machine.receiveData(framed([[1], [2]]), endStream: true)
        let (_, status) = try #require(failure(step10))
        #expect(status.code == .internal)
        #expect(status.message.contains("more than one"))
    }

    @Test("a message over the limit is RESOURCE_EXHAUSTED")
    func oversized() throws {
        var (machine, _) = try accepted(maxSize: 4)
        let step11 = machine.receiveData(framed([[1, 2, 3, 4, 5]]), endStream: false)
        let (headers, status) = try #require(failure(step11))
        #expect(status.code == .resourceExhausted)
        #expect(headers["grpc-status"] == "8")
        let step12 = machine.receiveData(framed([[1]]), endStream: true)
        #expect(step12 == .none)
    }

    @Test("END_STREAM in the middle of a message is INTERNAL")
    func cutShort() throws {
        var (machine, _) = try accepted()
        var wire = framed([[1, 2, 3, 4]])
        wire.moveWriterIndex(to: wire.writerIndex - 1)
        let step13 = machine.receiveData(wire, endStream: true)
        let (_, status) = try #require(failure(step13))
        #expect(status.code == .internal)
        #expect(status.message.contains("middle of a message"))
    }

    @Test("a compressed message without grpc-encoding is INTERNAL; with gzip it is decompressed")
    func compression() throws {
        var compressed = ByteBuffer()
        MessageFramer.append(try Gzip.compress(ByteBuffer(bytes: [7, 7, 7])), compressed: true, to: &compressed)

        var (plain, _) = try accepted()
        let step14 = plain.receiveData(compressed, endStream: true)
        #expect(failure(step14)?.1.code == .internal)

        var (gzip, _) = try accepted(extra: [("grpc-encoding", "gzip")])
        let step15 = gzip.receiveData(compressed, endStream: true)
        #expect(step15 == .startHandler(request: ByteBuffer(bytes: [7, 7, 7])))
    }

    @Test("streaming requests are delivered as they complete, several per chunk")
    func streamingDelivery() throws {
        var (machine, _) = try accepted(.bidirectionalStreaming)
        var wire = framed([[1], [2], [3, 3]])
        let head = wire.readSlice(length: 13)!  // two whole messages and half of the third prefix
        let step16 = machine.receiveData(head, endStream: false)
        #expect(
            step16
                == .deliver([ByteBuffer(bytes: [1]), ByteBuffer(bytes: [2])], requestEnded: false))
        let step17 = machine.receiveData(wire, endStream: true)
        #expect(step17 == .deliver([ByteBuffer(bytes: [3, 3])], requestEnded: true))
    }

    @Test("headers, messages and trailers: initial metadata first, trailers carry status and metadata")
    func normalResponse() throws {
        var (machine, _) = try accepted()
        _ = machine.receiveData(framed([[1]]), endStream: true)
        let step18 = machine.responseHeaders(initialMetadata: ["x-initial": "a"])
        let headers = try #require(step18)
        #expect(headers[":status"] == "200")
        #expect(headers["x-initial"] == "a")
        let step19 = machine.responseHeaders(initialMetadata: [:])
        #expect(step19 == nil)
        let blocks = machine.finish(
            status: RPCStatus(code: .ok), initialMetadata: ["x-initial": "a"], trailingMetadata: ["x-trailing": "b"])
        #expect(blocks.count == 1)
        #expect(blocks[0][":status"] == nil)
        #expect(blocks[0]["grpc-status"] == "0")
        #expect(blocks[0]["x-trailing"] == "b")
        let step20 = machine.finish(status: .ok, initialMetadata: [:], trailingMetadata: [:])
        #expect(step20.isEmpty)
    }

    @Test("an error before any message is one trailers-only block with a percent-encoded message")
    func trailersOnly() throws {
        var (machine, _) = try accepted()
        let blocks = machine.finish(
            status: RPCStatus(code: .notFound, message: "no ünïcode 100%"), initialMetadata: [:],
            trailingMetadata: ["bbs-error-type": "ResourceNotFound"])
        #expect(blocks.count == 1)
        #expect(blocks[0][":status"] == "200")
        #expect(blocks[0]["grpc-status"] == "5")
        #expect(blocks[0]["grpc-message"] == "no %C3%BCn%C3%AFcode 100%25")
        #expect(blocks[0]["bbs-error-type"] == "ResourceNotFound")
    }

    @Test("OK with initial metadata and no message sends headers, then trailers")
    func okWithInitialMetadataNoMessage() throws {
        var (machine, _) = try accepted(.serverStreaming)
        let blocks = machine.finish(status: .ok, initialMetadata: ["x-initial": "a"], trailingMetadata: [:])
        #expect(blocks.count == 2)
        #expect(blocks[0]["x-initial"] == "a")
        #expect(blocks[1]["grpc-status"] == "0")
    }

    @Test(
        "the redirect and unavailable answers are trailers-only with their HTTP status and headers",
        arguments: [
            (
                RPCError.redirect(toMaster: "https://10.0.0.2:8889", path: "/test.Echo/Get"), "307", "location",
                "https://10.0.0.2:8889/test.Echo/Get"
            ),
            (RPCError.unavailable(reason: "migrating", retryAfterSeconds: 3), "503", "retry-after", "3"),
        ])
    func httpAnswers(error: RPCError, status: String, header: String, value: String) throws {
        var (machine, _) = try accepted()
        let blocks = machine.finish(
            status: error.status, initialMetadata: [:], trailingMetadata: error.metadata, httpAnswer: error.httpAnswer)
        #expect(blocks.count == 1)
        #expect(blocks[0][":status"] == status)
        #expect(blocks[0][header] == value)
        #expect(blocks[0]["grpc-status"] == "14")
        #expect(blocks[0]["content-type"] == "application/grpc")
    }

    @Test("after a reset nothing more is sent")
    func reset() throws {
        var (machine, _) = try accepted(.bidirectionalStreaming)
        let step21 = machine.receiveReset()
        #expect(step21)
        let step22 = machine.receiveReset()
        #expect(!step22)
        let step23 = machine.responseHeaders(initialMetadata: [:])
        #expect(step23 == nil)
        #expect(!machine.canSendMessage)
        let step24 = machine.finish(status: .ok, initialMetadata: [:], trailingMetadata: [:])
        #expect(step24.isEmpty)
    }
}
