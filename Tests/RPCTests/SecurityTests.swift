import Foundation
import HTTP2
import Interop
import NIOCore
import NIOPosix
import RPC
import TLS
import TestSupport
import Testing

/// Refusals and bad input against a real mutual-TLS server on loopback; after each case a good
/// client's call still succeeds.
@Suite("security: refused clients and bad input", .serialized)
struct SecurityTests {
    /// A good client's call, made after every case.
    func goodCallSucceeds(_ server: InProcessServer) async throws {
        let client = try server.client()
        let response = try await client.unary(
            TestServiceMethods.emptyCall, Grpc_Testing_Empty(), options: CallOptions(timeout: .seconds(20)))
        #expect(response == Grpc_Testing_Empty())
        await client.close()
    }

    func withServer(_ body: (InProcessServer) async throws -> Void) async throws {
        let server = try await InProcessServer.start()
        do {
            try await body(server)
            try await goodCallSucceeds(server)
        } catch {
            await server.stop()
            throw error
        }
        await server.stop()
    }

    // MARK: - Refused

    enum BadClient: String, CaseIterable, CustomTestStringConvertible {
        case noCertificate = "no client certificate"
        case otherCA = "a client certificate from another CA"
        case expired = "an expired client certificate"
        var testDescription: String { rawValue }
    }

    @Test("grpcio is refused with", arguments: BadClient.allCases)
    func grpcioRefused(_ bad: BadClient) async throws {
        let certs = try TestCertificates.get()
        try await withServer { server in
            var arguments = [
                "--target", "localhost:\(server.port)", "--method", TestServiceMethods.emptyCall.path, "--ca_file",
                certs.caFile, "--timeout", "15",
            ]
            switch bad {
            case .noCertificate: break
            case .otherCA: arguments += ["--cert_file", certs.otherCAClientCert, "--key_file", certs.otherCAClientKey]
            case .expired: arguments += ["--cert_file", certs.expiredClientCert, "--key_file", certs.expiredClientKey]
            }
            let result = try await Python.run(Python.script("call_raw.py"), arguments, timeout: .seconds(30))
            #expect(result.status == 0, "\(result.standardError)")
            #expect(result.standardOutput.contains("\"code\": \"UNAVAILABLE\""), "\(result.standardOutput)")
        }
    }

    @Test("our client is refused with", arguments: [BadClient.otherCA, .expired])
    func swiftClientRefused(_ bad: BadClient) async throws {
        let certs = try TestCertificates.get()
        try await withServer { server in
            let tls: RPCTLSConfiguration
            switch bad {
            case .otherCA:
                tls = RPCTLSConfiguration(
                    caFile: certs.caFile, certificateChainFile: certs.otherCAClientCert,
                    privateKeyFile: certs.otherCAClientKey)
            default:
                tls = RPCTLSConfiguration(
                    caFile: certs.caFile, certificateChainFile: certs.expiredClientCert,
                    privateKeyFile: certs.expiredClientKey)
            }
            let client = try server.client(tls: tls)
            let error = await #expect(throws: RPCError.self) {
                _ = try await client.unary(
                    TestServiceMethods.emptyCall, Grpc_Testing_Empty(), options: CallOptions(timeout: .seconds(20)))
            }
            #expect(error?.code == .unavailable)
            #expect(error?.message.contains("alert") == true, "the TLS alert is named: \(String(describing: error))")
            await client.close()
        }
    }

    func sClient(_ port: Int, _ extra: [String], stdin: Data? = nil) async throws -> Python.Result {
        let certs = try TestCertificates.get()
        return try await Python.run(
            executable: "/usr/bin/openssl",
            [
                "s_client", "-connect", "127.0.0.1:\(port)", "-CAfile", certs.caFile, "-cert", certs.clientCert,
                "-key", certs.clientKey,
            ] + extra,
            stdin: stdin, timeout: .seconds(15))
    }

    @Test("a TLS 1.1 client is refused")
    func tls11Refused() async throws {
        try await withServer { server in
            let result = try await sClient(server.port, ["-tls1_1", "-cipher", "DEFAULT:@SECLEVEL=0", "-alpn", "h2"])
            let output = result.standardOutput + result.standardError
            #expect(result.status != 0, "\(output)")
            #expect(output.contains("Cipher is (NONE)"), "no session was established: \(output)")
            #expect(output.contains("alert protocol version"), "\(output)")
            #expect(!result.timedOut)
        }
    }

    @Test("a client offering only http/1.1 in ALPN is refused")
    func http11Refused() async throws {
        try await withServer { server in
            let result = try await sClient(server.port, ["-alpn", "http/1.1"])
            let output = result.standardOutput + result.standardError
            #expect(!output.contains("ALPN protocol: http/1.1"), "\(output)")
            #expect(!output.contains("ALPN protocol: h2"), "\(output)")
            #expect(!result.timedOut)
        }
    }

    // MARK: - Bad input

    @Test("garbage instead of the connection preface closes that connection")
    func garbagePreface() async throws {
        try await withServer { server in
            let garbage =
                Data("GET / HTTP/1.1\r\nHost: x\r\n\r\n".utf8)
                + Data((0..<4096).map { UInt8(truncatingIfNeeded: $0 * 7) })
            let result = try await sClient(server.port, ["-quiet", "-alpn", "h2"], stdin: garbage)
            #expect(!result.timedOut, "the server kept the connection open: \(result.standardError)")
        }
    }

    @Test("a request for an unknown path is UNIMPLEMENTED")
    func unknownPath() async throws {
        try await withServer { server in
            let raw = try await RawHTTP2Client.connect(port: server.port)
            let events = try await raw.call(path: "/no.such.Service/Nothing", body: [framedEmpty()])
            #expect(grpcStatus(events) == "12", "\(events)")
            await raw.close()
        }
    }

    @Test("a length prefix claiming 100 MB is RESOURCE_EXHAUSTED")
    func hugeLengthPrefix() async throws {
        try await withServer { server in
            let raw = try await RawHTTP2Client.connect(port: server.port)
            var prefix = ByteBuffer()
            prefix.writeInteger(UInt8(0))
            prefix.writeInteger(UInt32(100 * 1024 * 1024))
            prefix.writeBytes([UInt8](repeating: 0, count: 1000))
            let events = try await raw.call(path: TestServiceMethods.unaryCall.path, body: [prefix])
            #expect(grpcStatus(events) == "8", "\(events)")
            await raw.close()
        }
    }

    @Test("a message cut short by END_STREAM is answered with a status, not a dropped connection")
    func cutShortMessage() async throws {
        try await withServer { server in
            let raw = try await RawHTTP2Client.connect(port: server.port)
            var partial = ByteBuffer()
            partial.writeInteger(UInt8(0))
            partial.writeInteger(UInt32(100))
            partial.writeBytes([UInt8](repeating: 0, count: 10))
            let events = try await raw.call(path: TestServiceMethods.unaryCall.path, body: [partial])
            let status = grpcStatus(events)
            #expect(status != nil && status != "0", "\(events)")
            // The same connection still serves a good call.
            let good = try await raw.call(path: TestServiceMethods.emptyCall.path, body: [framedEmpty()])
            #expect(grpcStatus(good) == "0", "\(good)")
            await raw.close()
        }
    }

    @Test("a body that does not decode is answered with a non-OK status")
    func undecodableBody() async throws {
        try await withServer { server in
            // SimpleResponse's field 3 is a string, SimpleRequest's field 3 a Payload message: the
            // string's bytes 0x7F 0x7F read as a Payload are tags with the invalid wire type 7.
            let mismatched = RPCMethod<Grpc_Testing_SimpleResponse, Grpc_Testing_SimpleResponse>(
                service: TestServiceMethods.service, method: "UnaryCall", kind: .unary)
            var payload = Grpc_Testing_SimpleResponse()
            payload.oauthScope = "\u{7F}\u{7F}"
            let client = try server.client()
            let error = await #expect(throws: RPCError.self) {
                _ = try await client.unary(mismatched, payload, options: CallOptions(timeout: .seconds(20)))
            }
            #expect(
                error.map { [.invalidArgument, .internal].contains($0.code) } == true, "\(String(describing: error))")
            await client.close()

            let raw = try await RawHTTP2Client.connect(port: server.port)
            var junk = ByteBuffer()
            MessageFramer.append([0x0A, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF], to: &junk)
            let events = try await raw.call(path: TestServiceMethods.unaryCall.path, body: [junk])
            let status = grpcStatus(events)
            #expect(status != nil && status != "0", "\(events)")
            await raw.close()
        }
    }

    @Test("10,000 streams opened and reset in a loop do not take the server down")
    func rapidReset() async throws {
        try await withServer { server in
            let raw = try await RawHTTP2Client.connect(port: server.port)
            let opened = try await raw.openAndReset(count: 10_000, path: TestServiceMethods.emptyCall.path)
            // The server may answer a flood with GOAWAY (nghttp2's rapid-reset guard); either way
            // it must have taken a good share and still serve good clients afterwards.
            #expect(opened >= 1_000, "only \(opened) streams opened")
            print("rapid reset: opened and reset \(opened) streams")
            await raw.close()
        }
    }

    func framedEmpty() -> ByteBuffer {
        var buffer = ByteBuffer()
        MessageFramer.append([UInt8](), to: &buffer)
        return buffer
    }

    /// The `grpc-status` in the last header block of a stream, if any.
    func grpcStatus(_ events: [HTTP2StreamEvent]) -> String? {
        for event in events.reversed() {
            if case .headers(let headers, _) = event, let status = headers["grpc-status"] { return status }
        }
        return nil
    }
}

/// HTTP/2 over mutual TLS with no gRPC client in between, for sending what a good client never
/// would (bad framing, resets in bulk), built from our own `TLSHandler` and `HTTP2ClientHandler`.
final class RawHTTP2Client: Sendable {
    let channel: any Channel
    private let connection: NIOLoopBound<HTTP2Connection>
    private let group: MultiThreadedEventLoopGroup

    private init(channel: any Channel, connection: NIOLoopBound<HTTP2Connection>, group: MultiThreadedEventLoopGroup) {
        self.channel = channel
        self.connection = connection
        self.group = group
    }

    static func connect(port: Int) async throws -> RawHTTP2Client {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let loop = group.next()
        let certs = try TestCertificates.get()
        let tls = try TLSContext(
            configuration: TLSConfiguration(
                certificateChainFile: certs.clientCert, privateKeyFile: certs.clientKey, trustRootsFile: certs.caFile),
            role: .client)
        let ready = loop.makePromise(of: NIOLoopBound<HTTP2Connection>.self)
        let channel = try await ClientBootstrap(group: loop)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(TLSHandler(context: tls, serverName: "localhost"))
                    try channel.pipeline.syncOperations.addHandler(
                        HTTP2ClientHandler(
                            settings: HTTP2Settings(),
                            connectionReady: { ready.succeed(NIOLoopBound($0, eventLoop: loop)) },
                            connectionClosed: {
                                ready.fail(RPCError(code: .unavailable, message: "closed before ready"))
                            }))
                }
            }
            .connect(host: "127.0.0.1", port: port).get()
        let connection = try await ready.futureResult.get()
        return RawHTTP2Client(channel: channel, connection: connection, group: group)
    }

    func headers(_ path: String) -> HTTP2Headers {
        [
            ":method": "POST", ":scheme": "https", ":path": path, ":authority": "localhost",
            "content-type": "application/grpc", "te": "trailers",
        ]
    }

    /// One stream: request headers, `body` chunks (END_STREAM on the last), all events until closed.
    func call(path: String, body: [ByteBuffer]) async throws -> [HTTP2StreamEvent] {
        let loop = channel.eventLoop
        let done = loop.makePromise(of: [HTTP2StreamEvent].self)
        let headers = headers(path)
        try await loop.submit { [connection] in
            let recorder = StreamRecorder(done: done)
            guard let id = connection.value.startStream(headers, endStream: false, handler: recorder) else {
                done.fail(RPCError(code: .unavailable, message: "cannot open a stream"))
                return
            }
            for (index, chunk) in body.enumerated() {
                connection.value.sendData(streamID: id, chunk, endStream: index == body.count - 1)
            }
        }.get()
        return try await withThrowingTaskGroup(of: [HTTP2StreamEvent].self) { group in
            group.addTask { try await done.futureResult.get() }
            group.addTask {
                try await Task.sleep(for: .seconds(30))
                throw RPCError(code: .deadlineExceeded, message: "no answer within 30 s")
            }
            let first = try await group.next()!
            group.cancelAll()
            return first
        }
    }

    /// Opens `count` streams and resets each at once; returns how many were opened before the
    /// server closed the connection (if it did).
    func openAndReset(count: Int, path: String) async throws -> Int {
        let headers = headers(path)
        var opened = 0
        while opened < count {
            let batch = try await channel.eventLoop.submit { [connection] () -> Int in
                var started = 0
                for _ in 0..<100 {
                    guard let id = connection.value.startStream(headers, endStream: false, handler: IgnoringHandler())
                    else { break }
                    connection.value.reset(streamID: id, errorCode: HTTP2ErrorCode.cancel)
                    started += 1
                }
                return started
            }.get()
            opened += batch
            if batch < 100 { break }
            await Task.yield()
        }
        return opened
    }

    func close() async {
        try? await channel.close()
        try? await group.shutdownGracefully()
    }
}

private final class StreamRecorder: HTTP2StreamHandler {
    private var events: [HTTP2StreamEvent] = []
    private let done: EventLoopPromise<[HTTP2StreamEvent]>

    init(done: EventLoopPromise<[HTTP2StreamEvent]>) { self.done = done }

    func handle(_ event: HTTP2StreamEvent, streamID: HTTP2StreamID, connection: HTTP2Connection) {
        events.append(event)
        if case .closed = event { done.succeed(events) }
    }
}

private final class IgnoringHandler: HTTP2StreamHandler {
    func handle(_ event: HTTP2StreamEvent, streamID: HTTP2StreamID, connection: HTTP2Connection) {}
}
