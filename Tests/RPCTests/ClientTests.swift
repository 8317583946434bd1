import Foundation
import HTTP2
import Interop
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import RPC
import TestSupport
import Testing

@testable import RPC

/// Test-only methods that show the client's connection behaviour from the server's side.
enum PeerMethods {
    /// Answers with the caller's remote address in `hostname`.
    static let remoteAddress = RPCMethod<Grpc_Testing_SimpleRequest, Grpc_Testing_SimpleResponse>(
        service: "bbs.test.Peer", method: "RemoteAddress", kind: .unary)

    static func register(in router: inout RPCRouter) {
        router.register(
            remoteAddress,
            unary: { _, context in
                var response = Grpc_Testing_SimpleResponse()
                response.hostname = context.remoteAddress
                return response
            })
    }
}

@Suite("client URLs and targets")
struct ClientTargetTests {
    @Test(
        "a base URL parses into host, port and TLS",
        arguments: [
            ("https://10.0.0.2:8889", "10.0.0.2", 8889, true), ("http://localhost:2379", "localhost", 2379, false),
            ("https://[::1]:443/diego.bbs.TaskService/DesireTask", "::1", 443, true),
            ("https://bbs.service", "bbs.service", 443, true),
        ])
    func parses(url: String, host: String, port: Int, tls: Bool) throws {
        let target = try #require(ClientTarget(url: url))
        #expect(target.host == host)
        #expect(target.port == port)
        #expect(target.usesTLS == tls)
    }

    @Test("malformed URLs are refused", arguments: ["ftp://a:1", "https://", "https://a:0", "https://a:99999", "a:1"])
    func refuses(url: String) {
        #expect(ClientTarget(url: url) == nil)
        #expect(throws: RPCError.self) { try RPCClientConfiguration(url: url, tls: nil) }
    }

    @Test("https without a TLS configuration is refused; http is h2c")
    func configurationFromURL() throws {
        #expect(throws: RPCError.self) { try RPCClientConfiguration(url: "https://127.0.0.1:1", tls: nil) }
        let plain = try RPCClientConfiguration(url: "http://127.0.0.1:2379", tls: nil)
        guard case .plaintext = plain.security else {
            Issue.record("expected plaintext")
            return
        }
        #expect(plain.port == 2379)
    }

    @Test("a redirect names the master by location or by bbs-master-url, never downgrading TLS")
    func redirectTargets() {
        let current = ClientTarget(host: "127.0.0.1", port: 1, usesTLS: true)
        let redirect = RPCError.redirect(toMaster: "http://10.0.0.2:8889", path: "/a.B/C")
        #expect(
            RPCClient.redirectTarget(of: redirect, from: current)
                == ClientTarget(host: "10.0.0.2", port: 8889, usesTLS: true))
        let metadataOnly = RPCError(code: .unavailable, message: "x", metadata: ["bbs-master-url": "https://m:2"])
        #expect(RPCClient.redirectTarget(of: metadataOnly, from: current)?.host == "m")
        #expect(RPCClient.redirectTarget(of: RPCError.unavailable(reason: "busy"), from: current) == nil)
        #expect(RPCClient.retryAfter(of: RPCError.unavailable(reason: "busy", retryAfterSeconds: 2)) == .seconds(2))
    }
}

@Suite("the RPC client against a real server")
struct ClientTests {
    @Test("one connection multiplexes many concurrent calls")
    func multiplexes() async throws {
        try await withServerAndClient({ PeerMethods.register(in: &$0) }) { _, client in
            let addresses = try await withThrowingTaskGroup(of: String.self) { group in
                for _ in 0..<200 {
                    group.addTask {
                        try await client.unary(PeerMethods.remoteAddress, Grpc_Testing_SimpleRequest()).hostname
                    }
                }
                var addresses = Set<String>()
                for try await address in group { addresses.insert(address) }
                return addresses
            }
            #expect(addresses.count == 1, "\(addresses)")
        }
    }

    @Test("connections > 1 spreads calls round-robin over that many connections")
    func pool() async throws {
        let server = try await InProcessServer.start { PeerMethods.register(in: &$0) }
        let client = try server.client(connections: 3)
        var addresses: [String] = []
        for _ in 0..<6 {
            addresses.append(try await client.unary(PeerMethods.remoteAddress, Grpc_Testing_SimpleRequest()).hostname)
        }
        #expect(Set(addresses).count == 3, "\(addresses)")
        #expect(Array(addresses[0..<3]) == Array(addresses[3..<6]))
        await client.close()
        await server.stop()
    }

    @Test("h2c with prior knowledge works against an --insecure-plaintext server")
    func plaintext() async throws {
        try await withServerAndClient(tls: false) { _, client in
            let response = try await client.unary(TestServiceMethods.emptyCall, Grpc_Testing_Empty())
            #expect(response == Grpc_Testing_Empty())
        }
    }

    @Test("after the server goes away, the next call reconnects to the new server on that port")
    func reconnects() async throws {
        // A port below the ephemeral range: no other test's port-0 server can take it between
        // the two servers.
        let port = Int(try EtcdCluster.freeLoopbackPorts(1)[0])
        let first = try await InProcessServer.start(port: port)
        let client = try first.client()
        _ = try await client.unary(TestServiceMethods.emptyCall, Grpc_Testing_Empty())
        await first.stop()
        let down = await #expect(throws: RPCError.self) {
            _ = try await client.unary(TestServiceMethods.emptyCall, Grpc_Testing_Empty())
        }
        #expect(down?.code == .unavailable)

        let second = try await Self.restartServer(on: port)
        let response = try await client.unary(TestServiceMethods.emptyCall, Grpc_Testing_Empty())
        #expect(response == Grpc_Testing_Empty())
        await client.close()
        await second.shutdownGracefully(timeout: .seconds(2))
    }

    /// A new server on the port a stopped one used. Binding is retried for a few seconds: the old
    /// connections' sockets may take a moment to go on a loaded machine, and the point of these
    /// tests is the client's reconnect, not how fast the kernel frees a port.
    static func restartServer(on port: Int) async throws -> RPCServer {
        let deadline = ContinuousClock.now + .seconds(30)
        while true {
            var router = RPCRouter()
            router.register(TestServiceProvider())
            let server = RPCServer(
                configuration: RPCServerConfiguration(
                    host: "127.0.0.1", port: port, security: .mutualTLS(try TestCertificates.server())),
                router: router)
            do {
                try await server.start()
                return server
            } catch let error as IOError where error.errnoCode == EADDRINUSE && ContinuousClock.now < deadline {
                await server.shutdownGracefully(timeout: .seconds(1))
                try await Task.sleep(for: .milliseconds(100))
            }
        }
    }

    @Test("a call in flight finishes across the server's GOAWAY; the next call reconnects")
    func goAway() async throws {
        // A port below the ephemeral range: no other test's port-0 server can take it between
        // the two servers.
        let port = Int(try EtcdCluster.freeLoopbackPorts(1)[0])
        let first = try await InProcessServer.start(port: port)
        let client = try first.client()
        var request = outputRequest(sizes: [1, 2, 3])
        for index in request.responseParameters.indices { request.responseParameters[index].intervalUs = 200_000 }
        let (started, startedContinuation) = AsyncStream<Void>.makeStream()
        let inFlight = Task {
            try await client.serverStreaming(TestServiceMethods.streamingOutputCall, request) { responses in
                var sizes: [Int] = []
                for try await response in responses {
                    sizes.append(response.payload.body.count)
                    startedContinuation.yield()
                }
                return sizes
            }
        }
        // Shut down once the call is surely in flight (its first message arrived).
        for await _ in started { break }
        await first.server.shutdownGracefully(timeout: .seconds(10))
        #expect(try await inFlight.value == [1, 2, 3])

        let second = try await Self.restartServer(on: port)
        let response = try await client.unary(TestServiceMethods.emptyCall, Grpc_Testing_Empty())
        #expect(response == Grpc_Testing_Empty())
        await client.close()
        await second.shutdownGracefully(timeout: .seconds(2))
    }

    @Test("a deadline is sent and enforced: a slow stream ends with DEADLINE_EXCEEDED, the client stays usable")
    func deadline() async throws {
        try await withServerAndClient { _, client in
            var request = outputRequest(sizes: [1, 1])
            request.responseParameters[1].intervalUs = 20_000_000
            let start = ContinuousClock.now
            let error = await #expect(throws: RPCError.self) {
                try await client.serverStreaming(
                    TestServiceMethods.streamingOutputCall, request, options: CallOptions(timeout: .milliseconds(200))
                ) { responses in
                    for try await _ in responses {}
                }
            }
            #expect(error?.code == .deadlineExceeded)
            // Long before the server's 20 s pause ends (generous: parallel tests share 2 cores).
            #expect(ContinuousClock.now - start < .seconds(15))
            _ = try await client.unary(TestServiceMethods.emptyCall, Grpc_Testing_Empty())
        }
    }

    @Test("a response stream is read only as fast as the caller reads: the server's writer waits")
    func backpressure() async throws {
        let written = NIOLockedValueBox(0)
        let method = RPCMethod<Grpc_Testing_Empty, Grpc_Testing_StreamingOutputCallResponse>(
            service: "bbs.test.Flood", method: "Flood", kind: .serverStreaming)
        let total = 200
        try await withServerAndClient({ router in
            router.register(
                method,
                serverStreaming: { _, writer, _ in
                    var response = Grpc_Testing_StreamingOutputCallResponse()
                    response.payload = zeros(64 * 1024)
                    for _ in 0..<total {
                        try await writer.write(response)
                        written.withLockedValue { $0 += 1 }
                    }
                })
        }) { _, client in
            let count = try await client.serverStreaming(method, Grpc_Testing_Empty()) { responses in
                var iterator = responses.makeAsyncIterator()
                _ = try await iterator.next()
                try await Task.sleep(for: .milliseconds(500))
                let writtenWhileWaiting = written.withLockedValue { $0 }
                #expect(writtenWhileWaiting < total / 2, "the server wrote \(writtenWhileWaiting) messages ahead")
                var count = 1
                while try await iterator.next() != nil { count += 1 }
                return count
            }
            #expect(count == total)
        }
    }

    @Test("a request writer suspends while the peer returns no flow-control credit")
    func writerBackpressure() async throws {
        // A bare HTTP/2 peer (h2c) that accepts the stream and never consumes what it receives:
        // only the stream window (1 MiB) and the writer's high watermark may be in flight.
        let peer = try await NonReadingPeer.start()
        let client = RPCClient(
            configuration: RPCClientConfiguration(host: "127.0.0.1", port: peer.port, security: .plaintext))
        let written = NIOLockedValueBox(0)
        let method = RPCMethod<Grpc_Testing_StreamingInputCallRequest, Grpc_Testing_StreamingInputCallResponse>(
            service: "bbs.test.Slow", method: "NeverReads", kind: .clientStreaming)
        let task = Task {
            try await client.clientStreaming(method) { writer in
                var request = Grpc_Testing_StreamingInputCallRequest()
                request.payload = zeros(64 * 1024)
                for _ in 0..<1_000 {
                    try await writer.write(request)
                    written.withLockedValue { $0 += 1 }
                }
            }
        }
        // Wait until the writer has stopped making progress for 300 ms (up to 10 s under load).
        var last = -1
        var stableSince = ContinuousClock.now
        let giveUp = ContinuousClock.now + .seconds(10)
        while ContinuousClock.now < giveUp {
            try await Task.sleep(for: .milliseconds(50))
            let now = written.withLockedValue { $0 }
            if now != last || now == 0 {
                last = now
                stableSince = ContinuousClock.now
            } else if ContinuousClock.now - stableSince >= .milliseconds(300) {
                break
            }
        }
        task.cancel()
        _ = try? await task.value
        #expect(last > 0)
        #expect(last < 40, "\(last) messages of 64 KiB written into a 1 MiB window")
        await client.close()
        await peer.stop()
    }

    @Test("a cancelled unary call ends with CANCELLED and frees its stream")
    func cancelledUnary() async throws {
        try await withServerAndClient { _, client in
            var request = outputRequest(sizes: [1, 1])
            request.responseParameters[1].intervalUs = 5_000_000
            let task = Task {
                try await client.serverStreaming(TestServiceMethods.streamingOutputCall, request) { responses in
                    for try await _ in responses {}
                }
            }
            try await Task.sleep(for: .milliseconds(100))
            task.cancel()
            let error = await #expect(throws: RPCError.self) { try await task.value }
            #expect(error?.code == .cancelled)
            _ = try await client.unary(TestServiceMethods.emptyCall, Grpc_Testing_Empty())
        }
    }

    @Test("a response over the client's receive limit is RESOURCE_EXHAUSTED")
    func receiveLimit() async throws {
        let server = try await InProcessServer.start()
        let client = try server.client { $0.maxReceiveMessageSize = 1_000 }
        var request = Grpc_Testing_SimpleRequest()
        request.responseSize = 314_159
        let error = await #expect(throws: RPCError.self) {
            _ = try await client.unary(TestServiceMethods.unaryCall, request)
        }
        #expect(error?.code == .resourceExhausted)
        request.responseSize = 10
        let small = try await client.unary(TestServiceMethods.unaryCall, request)
        #expect(small.payload.body.count == 10)
        await client.close()
        await server.stop()
    }

    @Test("backoff is jittered between half and all of the step")
    func jitter() {
        for _ in 0..<100 {
            let delay = RPCClient.jittered(.milliseconds(100))
            #expect(delay >= .milliseconds(50) && delay <= .milliseconds(100))
        }
    }

    @Test("an error the caller's own body throws comes out as it was thrown, and the call ends")
    func callerErrors() async throws {
        struct Mine: Error, Equatable {}
        try await withServerAndClient { _, client in
            await #expect(throws: Mine.self) {
                try await client.bidirectionalStreaming(TestServiceMethods.fullDuplexCall) { writer, _ in
                    try await writer.write(outputRequest(sizes: [1]))
                    throw Mine()
                }
            }
            await #expect(throws: Mine.self) {
                _ = try await client.clientStreaming(TestServiceMethods.streamingInputCall) { _ in throw Mine() }
            }
            await #expect(throws: Mine.self) {
                try await client.serverStreaming(TestServiceMethods.streamingOutputCall, outputRequest(sizes: [1])) {
                    _ in throw Mine()
                }
            }
            _ = try await client.unary(TestServiceMethods.emptyCall, Grpc_Testing_Empty())
        }
    }

    @Test("messages sent before an error status are read before the error")
    func messagesThenStatus() async throws {
        try await withServerAndClient { _, client in
            var request = outputRequest(sizes: [1, 2, 3])
            request.responseStatus.code = 5
            request.responseStatus.message = "after three"
            let received = NIOLockedValueBox<[Int]>([])
            let error = await #expect(throws: RPCError.self) {
                try await client.serverStreaming(TestServiceMethods.streamingOutputCall, request) { responses in
                    // Let the status arrive before reading anything.
                    try await Task.sleep(for: .milliseconds(200))
                    for try await response in responses {
                        received.withLockedValue { $0.append(response.payload.body.count) }
                    }
                }
            }
            #expect(received.withLockedValue { $0 } == [1, 2, 3])
            #expect(error?.code == .notFound)
            #expect(error?.message == "after three")
        }
    }

    @Test("a closed client refuses calls with UNAVAILABLE")
    func closed() async throws {
        let server = try await InProcessServer.start()
        let client = try server.client()
        await client.close()
        let error = await #expect(throws: RPCError.self) {
            _ = try await client.unary(TestServiceMethods.emptyCall, Grpc_Testing_Empty())
        }
        #expect(error?.code == .unavailable)
        await server.stop()
    }
}

/// An h2c server whose streams never consume their DATA, to show the client's writer waiting.
struct NonReadingPeer {
    let channel: any Channel
    let group: MultiThreadedEventLoopGroup
    var port: Int { channel.localAddress?.port ?? 0 }

    static func start() async throws -> NonReadingPeer {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let channel = try await ServerBootstrap(group: group)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(
                        HTTP2ServerHandler(settings: HTTP2Settings(), makeStreamHandler: { _, _ in SilentStream() }))
                }
            }
            .bind(host: "127.0.0.1", port: 0).get()
        return NonReadingPeer(channel: channel, group: group)
    }

    func stop() async {
        try? await channel.close()
        try? await group.shutdownGracefully()
    }
}

private final class SilentStream: HTTP2StreamHandler {
    func handle(_ event: HTTP2StreamEvent, streamID: HTTP2StreamID, connection: HTTP2Connection) {
        if case .headers(_, _) = event {
            connection.sendHeaders(
                streamID: streamID, [":status": "200", "content-type": "application/grpc"], endStream: false)
        }
    }
}
