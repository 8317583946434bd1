import HTTP2
import Interop
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import RPC
import TestSupport
import Testing

/// The client says how far a failed call's request got (`RPCError.delivery`), from what it saw on
/// the connection: each case against a real peer on loopback.
@Suite("the RPC client reports how far a failed request got")
struct ClientDeliveryTests {
    func plaintextClient(port: Int) -> RPCClient {
        RPCClient(configuration: RPCClientConfiguration(host: "127.0.0.1", port: port, security: .plaintext))
    }

    @Test("connecting to a closed port: not sent")
    func closedPort() async throws {
        // A port that was free a moment ago and that nothing listens on.
        let client = plaintextClient(port: Int(try EtcdCluster.freeLoopbackPorts(1)[0]))
        let error = await #expect(throws: RPCError.self) {
            _ = try await client.unary(TestServiceMethods.emptyCall, Grpc_Testing_Empty())
        }
        #expect(error?.code == .unavailable)
        #expect(error?.delivery == .notSent)
        await client.close()
    }

    @Test("a TLS configuration whose files do not load: cannot send")
    func unloadableTLS() async throws {
        let files = RPCTLSConfiguration(
            caFile: "/nonexistent/ca.pem", certificateChainFile: "/nonexistent/c.pem",
            privateKeyFile: "/nonexistent/c.key")
        let client = RPCClient(
            configuration: RPCClientConfiguration(
                host: "127.0.0.1", port: 1, security: .mutualTLS(files, serverName: "localhost")))
        let error = await #expect(throws: RPCError.self) {
            _ = try await client.unary(TestServiceMethods.emptyCall, Grpc_Testing_Empty())
        }
        #expect(error?.delivery == .cannotSend)
        await client.close()
    }

    @Test("a closed client: cannot send")
    func closedClient() async throws {
        let server = try await InProcessServer.start()
        let client = try server.client()
        await client.close()
        let error = await #expect(throws: RPCError.self) {
            _ = try await client.unary(TestServiceMethods.emptyCall, Grpc_Testing_Empty())
        }
        #expect(error?.delivery == .cannotSend)
        await server.stop()
    }

    @Test("a status in the server's trailers: answered")
    func serverStatus() async throws {
        try await withServerAndClient { _, client in
            let error = await #expect(throws: RPCError.self) {
                _ = try await client.unary(TestServiceMethods.unimplementedCall, Grpc_Testing_Empty())
            }
            #expect(error?.code == .unimplemented)
            #expect(error?.delivery == .answered)
        }
    }

    @Test("the local deadline after the request went out: maybe sent")
    func deadline() async throws {
        try await withServerAndClient { _, client in
            // Connected first: a deadline that expires while connecting is (rightly) "not sent".
            _ = try await client.unary(TestServiceMethods.emptyCall, Grpc_Testing_Empty())
            var request = Grpc_Testing_StreamingOutputCallRequest()
            var slow = Grpc_Testing_ResponseParameters()
            slow.size = 1
            slow.intervalUs = 20_000_000
            request.responseParameters = [slow]
            let error = await #expect(throws: RPCError.self) {
                try await client.serverStreaming(
                    TestServiceMethods.streamingOutputCall, request, options: CallOptions(timeout: .seconds(2))
                ) { responses in
                    for try await _ in responses {}
                }
            }
            #expect(error?.code == .deadlineExceeded)
            #expect(error?.delivery == .maybeSent)
        }
    }

    @Test("the connection lost after the request arrived: maybe sent")
    func connectionLost() async throws {
        let peer = try await ScriptedPeer.start(.closeConnection)
        let client = plaintextClient(port: peer.port)
        let error = await #expect(throws: RPCError.self) {
            _ = try await client.unary(TestServiceMethods.emptyCall, Grpc_Testing_Empty())
        }
        #expect(error?.code == .unavailable)
        #expect(error?.delivery == .maybeSent)
        #expect(peer.requestsSeen() == 1, "the request reached the peer")
        await client.close()
        await peer.stop()
    }

    @Test("a stream the server refuses (RST_STREAM REFUSED_STREAM): not sent")
    func refusedStream() async throws {
        let peer = try await ScriptedPeer.start(.refuseStream)
        let client = plaintextClient(port: peer.port)
        let error = await #expect(throws: RPCError.self) {
            _ = try await client.unary(TestServiceMethods.emptyCall, Grpc_Testing_Empty())
        }
        #expect(error?.code == .unavailable)
        #expect(error?.delivery == .notSent)
        #expect(peer.requestsSeen() == 1, "the peer saw the stream and refused it")
        await client.close()
        await peer.stop()
    }
}

/// An h2c server whose streams all end the same scripted way, to show what the client reports.
struct ScriptedPeer {
    enum Script {
        /// Closes the whole connection when a request's headers arrive.
        case closeConnection
        /// Resets each stream with REFUSED_STREAM when its headers arrive.
        case refuseStream
    }

    let channel: any Channel
    let group: MultiThreadedEventLoopGroup
    let seen: NIOLockedValueBox<Int>
    var port: Int { channel.localAddress?.port ?? 0 }

    static func start(_ script: Script) async throws -> ScriptedPeer {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let seen = NIOLockedValueBox(0)
        let channel = try await ServerBootstrap(group: group)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(
                        HTTP2ServerHandler(
                            settings: HTTP2Settings(),
                            makeStreamHandler: { _, _ in
                                ScriptedStream(script: script, channel: channel) { seen.withLockedValue { $0 += 1 } }
                            }))
                }
            }
            .bind(host: "127.0.0.1", port: 0).get()
        return ScriptedPeer(channel: channel, group: group, seen: seen)
    }

    /// How many request header blocks the peer received.
    func requestsSeen() -> Int { seen.withLockedValue { $0 } }

    func stop() async {
        try? await channel.close()
        try? await group.shutdownGracefully()
    }
}

private final class ScriptedStream: HTTP2StreamHandler {
    let script: ScriptedPeer.Script
    let channel: any Channel
    let sawRequest: () -> Void

    init(script: ScriptedPeer.Script, channel: any Channel, sawRequest: @escaping () -> Void) {
        self.script = script
        self.channel = channel
        self.sawRequest = sawRequest
    }

    func handle(_ event: HTTP2StreamEvent, streamID: HTTP2StreamID, connection: HTTP2Connection) {
        guard case .headers = event else { return }
        sawRequest()
        switch script {
        case .closeConnection: channel.close(promise: nil)
        case .refuseStream: connection.reset(streamID: streamID, errorCode: HTTP2ErrorCode.refusedStream)
        }
    }
}
