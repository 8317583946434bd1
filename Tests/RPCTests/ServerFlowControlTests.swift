import Foundation
import NIOCore
import RPC
import Testing

@testable import RPC

/// A slow peer must never make the server buffer without bound, in either direction.
@Suite("Server backpressure and graceful shutdown", .serialized)
struct ServerFlowControlTests {
    static let prelude = #"""
        import grpc, sys, time, threading
        port, ca, cert, key = sys.argv[1:5]
        creds = grpc.ssl_channel_credentials(open(ca, 'rb').read(), open(key, 'rb').read(), open(cert, 'rb').read())
        ch = grpc.secure_channel('127.0.0.1:' + port, creds)
        def sv(s):
            b = s.encode()
            return b'\x0a' + bytes([len(b)]) + b

        """#

    @Test("a server-streaming handler stops at the watermark while the client does not read")
    func slowReader() async throws {
        let fixture = try await ServerTestFixture.start()
        // The client reads one message, then stops reading until the test creates the "go" file.
        let go = fixture.certificates.directory + "/flood.go"
        let script =
            Self.prelude + #"""
                import os
                it = ch.unary_stream('/test.Echo/Flood')(sv('1000'), timeout=60)
                next(it)
                while not os.path.exists(sys.argv[5]):
                    time.sleep(0.05)
                count = 1
                try:
                    for _ in it: count += 1
                except grpc.RpcError as e:
                    print('failed after', count, e.code().name, e.details())
                print(count)
                """#
        guard let running = try fixture.startPython(script, name: "flood", extra: [go]) else {
            Issue.record("no Python with grpcio")
            return
        }
        // Wait for the handler to start, then for it to stop (blocked by backpressure).
        var whilePaused = 0
        var stableSince = ContinuousClock.now
        let giveUp = ContinuousClock.now + .seconds(30)
        while ContinuousClock.now < giveUp {
            try await Task.sleep(for: .milliseconds(100))
            let now = fixture.flooded.withLockedValue { $0 }
            if now != whilePaused {
                whilePaused = now
                stableSince = ContinuousClock.now
            } else if now > 0 && ContinuousClock.now - stableSince > .milliseconds(600) {
                break
            }
        }
        FileManager.default.createFile(atPath: go, contents: Data())
        let (status, output) = await running.wait()
        let atEnd = fixture.flooded.withLockedValue { $0 }
        await fixture.stop()
        #expect(status == 0)
        // 1000 messages are 64 MiB; while paused, only the flow-control windows plus the stream's
        // watermark may be in flight (a few MiB), never the whole stream.
        #expect(whilePaused > 0)
        #expect(whilePaused < 400, "the handler ran ahead of a paused reader: \(whilePaused) messages")
        #expect(output.hasSuffix("1000\n"), "\(output), server wrote \(atEnd)")
    }

    @Test("a client cannot send far ahead of a handler that does not read its requests")
    func slowHandler() async throws {
        let fixture = try await ServerTestFixture.start()
        let script =
            Self.prelude + #"""
                start = time.monotonic()
                finished = []
                def requests():
                    chunk = b'\x0a\x80\x80\x04' + b'r' * 65536
                    for _ in range(200):
                        yield chunk
                    finished.append(time.monotonic() - start)
                response = ch.stream_unary('/test.Echo/Hold')(requests(), timeout=30)
                print(response[2:].decode(), round(finished[0], 2))
                """#
        guard let running = try fixture.startPython(script, name: "hold") else {
            Issue.record("no Python with grpcio")
            return
        }
        let (status, output) = await running.wait()
        await fixture.stop()
        #expect(status == 0)
        let parts = output.split(separator: " ")
        #expect(parts.first == "200", "\(output)")
        // 200 messages of 64 KiB are 12.5 MiB, far more than the stream window (1 MiB) and the
        // handler's queue: the client can only finish sending once the handler reads.
        let sentAfter = Double(parts.last?.trimmingCharacters(in: .whitespacesAndNewlines) ?? "") ?? 0
        #expect(sentAfter >= 0.9, "the client sent everything after \(sentAfter) s while the handler was not reading")
    }

    @Test("request messages beyond the queue limit hold back flow-control credit until read")
    func requestCredit() async throws {
        let bridge = ServerCallBridge()
        var released: [Bool] = []
        for index in 0..<6 {
            released.append(bridge.deliver([ByteBuffer(bytes: [UInt8(index)])], ended: false, creditBytes: 100))
        }
        #expect(released == [true, true, true, true, false, false])
        #expect(!bridge.admitPartial(creditBytes: 50), "part of a message while the handler is behind")
        var returned = 0
        var seen: [UInt8] = []
        for _ in 0..<6 {
            let message = try await bridge.nextRequest { returned += $0 }
            seen.append(message?.getInteger(at: message!.readerIndex) ?? 255)
        }
        #expect(seen == [0, 1, 2, 3, 4, 5])
        #expect(returned == 250)
        #expect(bridge.admitPartial(creditBytes: 50), "part of a message while the handler keeps up")
        _ = bridge.deliver([], ended: true, creditBytes: 0)
        #expect(try await bridge.nextRequest { _ in } == nil)
    }

    @Test("a reader waiting for a message is woken by delivery and by the end of the call")
    func waitingReader() async throws {
        let bridge = ServerCallBridge()
        let first = Task { try await bridge.nextRequest { _ in } }
        try await Task.sleep(for: .milliseconds(50))
        _ = bridge.deliver([ByteBuffer(bytes: [9])], ended: false, creditBytes: 6)
        #expect(try await first.value == ByteBuffer(bytes: [9]))
        let second = Task { try await bridge.nextRequest { _ in } }
        try await Task.sleep(for: .milliseconds(50))
        bridge.close(RPCError(code: .cancelled, message: "reset"))
        await #expect(throws: RPCError.self) { try await second.value }
    }

    @Test("concurrent writers all wait for .writable and all wake")
    func concurrentWriters() async throws {
        let bridge = ServerCallBridge()
        let first = Task { try await withCheckedThrowingContinuation { bridge.parkWriter($0) } }
        let second = Task { try await withCheckedThrowingContinuation { bridge.parkWriter($0) } }
        while bridge.parkedWriters < 2 { try await Task.sleep(for: .milliseconds(10)) }
        bridge.resumeWriter()
        try await first.value
        try await second.value
        bridge.close(RPCError(code: .cancelled, message: "done"))
        await #expect(throws: RPCError.self) {
            try await withCheckedThrowingContinuation { bridge.parkWriter($0) }
        }
    }

    @Test("shutdown lets a call in flight finish, then refuses new connections")
    func gracefulShutdown() async throws {
        let fixture = try await ServerTestFixture.start()
        let script =
            Self.prelude + #"""
                unary = ch.unary_unary('/test.Echo/Unary')
                unary(sv('warm'), timeout=10)
                print('ready'); sys.stdout.flush()
                try:
                    print('slow:', unary(sv('slow'), timeout=10)[2:].decode())
                except grpc.RpcError as e:
                    print('slow failed:', e.code().name)
                """#
        guard let running = try fixture.startPython(script, name: "shutdown") else {
            Issue.record("no Python with grpcio")
            return
        }
        // Wait until the slow call's handler runs.
        let giveUp = ContinuousClock.now + .seconds(20)
        while fixture.sleepers.withLockedValue({ $0 }) == 0 && ContinuousClock.now < giveUp {
            try await Task.sleep(for: .milliseconds(20))
        }
        let started = ContinuousClock.now
        await fixture.server.shutdownGracefully(timeout: .seconds(5))
        let took = ContinuousClock.now - started
        let (_, output) = await running.wait()
        #expect(output.contains("slow: slow"), "\(output)")
        #expect(took < .seconds(4), "shutdown waited for the timeout instead of the call: \(took)")
        let refused = try await ServerTestFixture.run(
            "/usr/bin/nghttp",
            [
                "-v", "-n", "--cert", fixture.certificates.clientCert, "--key", fixture.certificates.clientKey,
                "https://127.0.0.1:\(fixture.port)/test.Echo/Unary",
            ])
        #expect(!refused.1.contains(":status"), "a new connection was served after shutdown: \(refused.1)")
        await fixture.stop()
    }
}
