import NIOCore
import NIOEmbedded
import TLS
import TestSupport
import Testing

/// A client and a server `TLSHandler` in two `EmbeddedChannel`s, with the test carrying the bytes:
/// deterministic control over what arrives together and when.
@Suite("TLSHandler in embedded channels")
struct TLSHandlerEmbeddedTests {
    let certs: CertificateAuthority
    let server: EmbeddedChannel
    let client: EmbeddedChannel
    let serverEvents = EventRecorder()
    let clientEvents = EventRecorder()

    init() throws {
        certs = try CertificateAuthority.make()
        let serverContext = try TLSContext(
            configuration: TLSConfiguration(
                certificateChainFile: certs.serverCert, privateKeyFile: certs.serverKey, trustRootsFile: certs.caFile),
            role: .server)
        let clientContext = try TLSContext(
            configuration: TLSConfiguration(
                certificateChainFile: certs.clientCert, privateKeyFile: certs.clientKey, trustRootsFile: certs.caFile),
            role: .client)
        server = EmbeddedChannel(handlers: [TLSHandler(context: serverContext), serverEvents])
        client = EmbeddedChannel(handlers: [TLSHandler(context: clientContext, serverName: "localhost"), clientEvents])
    }

    /// Everything `channel` has written so far, as one buffer (nil if nothing).
    func drainOutbound(_ channel: EmbeddedChannel) throws -> ByteBuffer? {
        var all: ByteBuffer?
        while var next = try channel.readOutbound(as: ByteBuffer.self) {
            all.setOrWriteBuffer(&next)
        }
        return all
    }

    /// Carries bytes both ways, each direction's pending output as one read, until both are quiet.
    func shuttle() throws {
        var moved = true
        while moved {
            moved = false
            if client.isActive, let bytes = try drainOutbound(client) {
                if server.isActive { try server.writeInbound(bytes) }
                moved = true
            }
            if server.isActive, let bytes = try drainOutbound(server) {
                if client.isActive { try client.writeInbound(bytes) }
                moved = true
            }
        }
    }

    func activate() throws {
        let address = try SocketAddress(ipAddress: "127.0.0.1", port: 1)
        try server.connect(to: address).wait()
        try client.connect(to: address).wait()
    }

    @Test("the client's Finished and its first data arriving in one read: event first, then the data")
    func finishedAndDataTogether() throws {
        defer { certs.remove() }
        try activate()
        // Written before the handshake: buffered, then sent right behind the client's Finished.
        client.writeAndFlush(ByteBuffer(string: "PRI * HTTP/2.0"), promise: nil)
        try shuttle()

        #expect(serverEvents.log == ["established h2 CN=bbs-test-client,O=bbs", "read PRI * HTTP/2.0"])
        #expect(clientEvents.log == ["established h2 CN=localhost"])
    }

    @Test("data flows both ways once established, and write promises complete")
    func dataBothWays() throws {
        defer { certs.remove() }
        try activate()
        try shuttle()
        let written = client.eventLoop.makePromise(of: Void.self)
        client.write(ByteBuffer(string: "ping"), promise: written)
        #expect(try drainOutbound(client) == nil, "nothing is sent before the flush")
        client.flush()
        try shuttle()
        try written.futureResult.wait()
        server.writeAndFlush(ByteBuffer(string: "pong"), promise: nil)
        try shuttle()
        #expect(serverEvents.log.last == "read ping")
        #expect(clientEvents.log.last == "read pong")
    }

    @Test("a large burst is forwarded in reads of at most 64 KiB, intact and in order")
    func boundedReads() throws {
        defer { certs.remove() }
        try activate()
        try shuttle()
        let payload = ByteBuffer(bytes: (0..<(1024 * 1024 + 17)).map { UInt8(truncatingIfNeeded: $0 &* 7 &+ $0 >> 10) })
        client.writeAndFlush(payload, promise: nil)
        try shuttle()
        let reads = serverEvents.reads
        #expect(reads.count > 1)
        #expect(reads.allSatisfy { $0.readableBytes <= 64 * 1024 })
        var joined = ByteBuffer()
        for var read in reads { joined.writeBuffer(&read) }
        #expect(joined == payload)
    }

    @Test("closing sends close_notify, and the peer closes in turn")
    func closeNotify() throws {
        defer { certs.remove() }
        try activate()
        try shuttle()
        let alert = client.eventLoop.makePromise(of: Void.self)
        client.close(promise: alert)
        let closeNotify = try #require(try drainOutbound(client), "close_notify must be sent")
        try alert.futureResult.wait()
        #expect(!client.isActive)

        try server.writeInbound(closeNotify)
        #expect(!server.isActive, "the server closes on the peer's close_notify")
        #expect(try drainOutbound(server) != nil, "and answers with its own close_notify")
        #expect(serverEvents.errors.isEmpty)
    }

    @Test("a malformed ClientHello: an alert goes out, an error is fired, the channel closes")
    func malformedClientHello() throws {
        defer { certs.remove() }
        try activate()
        // A handshake record holding a ClientHello that claims 0 bytes.
        try server.writeInbound(ByteBuffer(bytes: [0x16, 0x03, 0x01, 0x00, 0x04, 0x01, 0x00, 0x00, 0x00]))
        let alert = try #require(try drainOutbound(server), "the alert is flushed before closing")
        #expect(alert.getInteger(at: 0, as: UInt8.self) == 0x15, "an alert record")
        #expect(!server.isActive)
        let error = try #require(serverEvents.errors.first)
        #expect(error.kind == .handshakeFailed)
        #expect(error.message.contains("SSL routines"), "OpenSSL's reason is in the message: \(error.message)")
        #expect(!serverEvents.log.contains { $0.hasPrefix("established") })
    }

    @Test("plain HTTP instead of TLS is refused with OpenSSL's reason")
    func plainHTTP() throws {
        defer { certs.remove() }
        try activate()
        try server.writeInbound(ByteBuffer(string: "GET / HTTP/1.1\r\nHost: x\r\n\r\n"))
        #expect(!server.isActive)
        #expect(serverEvents.errors.first?.message.contains("http request") == true)
    }

    @Test("writes after close fail instead of being dropped silently")
    func writeAfterClose() throws {
        defer { certs.remove() }
        try activate()
        try shuttle()
        client.close(promise: nil)
        let late = client.eventLoop.makePromise(of: Void.self)
        client.writeAndFlush(ByteBuffer(string: "late"), promise: late)
        #expect(throws: (any Error).self) { try late.futureResult.wait() }
    }
}

/// Records what reaches the top of a pipeline, as short strings.
final class EventRecorder: ChannelInboundHandler, @unchecked Sendable {
    typealias InboundIn = ByteBuffer

    private(set) var log: [String] = []
    private(set) var errors: [TLSError] = []
    private(set) var reads: [ByteBuffer] = []

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if let established = event as? TLSEstablished {
            log.append("established \(established.applicationProtocol) \(established.peer.subject)")
        }
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let buffer = unwrapInboundIn(data)
        reads.append(buffer)
        if buffer.readableBytes <= 64 { log.append("read \(String(buffer: buffer))") }
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        if let error = error as? TLSError { errors.append(error) }
    }
}
