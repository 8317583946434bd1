import NIOCore
import NIOEmbedded

@testable import HTTP2

/// A real client handler and a real server handler in two EmbeddedChannels, with the bytes each
/// writes shuttled to the other (a lossless in-memory "socket").
final class ConnectedPair {
    let client = EmbeddedChannel()
    let server = EmbeddedChannel()
    var clientConnection: HTTP2Connection?
    var serverConnection: HTTP2Connection?
    var clientClosedCount = 0
    /// Server stream handlers in the order the streams opened.
    var serverStreams: [(HTTP2StreamID, RecordingStreamHandler)] = []
    /// Makes the handler for each stream the client opens (default: records and consumes).
    var makeServerStream: (HTTP2StreamID) -> RecordingStreamHandler = { _ in RecordingStreamHandler() }
    /// Bytes moved client → server and server → client so far.
    var bytesToServer = 0
    var bytesToClient = 0

    init(serverSettings: HTTP2Settings = HTTP2Settings(), clientSettings: HTTP2Settings = HTTP2Settings()) throws {
        let serverHandler = HTTP2ServerHandler(
            settings: serverSettings,
            connectionReady: { [weak self] in self?.serverConnection = $0 },
            makeStreamHandler: { [weak self] id, _ in
                guard let self else { return RecordingStreamHandler() }
                let handler = self.makeServerStream(id)
                self.serverStreams.append((id, handler))
                return handler
            })
        let clientHandler = HTTP2ClientHandler(
            settings: clientSettings,
            connectionReady: { [weak self] in self?.clientConnection = $0 },
            connectionClosed: { [weak self] in self?.clientClosedCount += 1 })
        try server.pipeline.syncOperations.addHandler(serverHandler)
        try client.pipeline.syncOperations.addHandler(clientHandler)
        let address = try SocketAddress(ipAddress: "127.0.0.1", port: 1)
        server.connect(to: address, promise: nil)
        client.connect(to: address, promise: nil)
        try exchange()
    }

    deinit {
        // Closing removes the handlers, which frees the sessions (and breaks the pipelines' cycles).
        client.close(promise: nil)
        server.close(promise: nil)
        client.embeddedEventLoop.run()
        server.embeddedEventLoop.run()
    }

    /// Moves bytes both ways until neither side has anything more to say. A side that closed
    /// closes the other, as a TCP FIN would.
    func exchange(maxRounds: Int = 100_000) throws {
        for _ in 0..<maxRounds {
            client.embeddedEventLoop.run()
            server.embeddedEventLoop.run()
            var moved = false
            while let bytes = try client.readOutbound(as: ByteBuffer.self) {
                moved = true
                bytesToServer += bytes.readableBytes
                if server.isActive { try server.writeInbound(bytes) }
            }
            while let bytes = try server.readOutbound(as: ByteBuffer.self) {
                moved = true
                bytesToClient += bytes.readableBytes
                if client.isActive { try client.writeInbound(bytes) }
            }
            if !moved {
                if client.isActive != server.isActive {
                    (client.isActive ? client : server).close(promise: nil)
                    continue
                }
                return
            }
        }
        throw ExchangeDidNotSettle()
    }

    struct ExchangeDidNotSettle: Error {}

    /// Starts a client stream with gRPC-like request headers.
    func startStream(
        path: String = "/pkg.Service/Method", endStream: Bool = false, handler: RecordingStreamHandler
    ) -> HTTP2StreamID? {
        clientConnection?.startStream(Self.requestHeaders(path: path), endStream: endStream, handler: handler)
    }

    static func requestHeaders(path: String) -> HTTP2Headers {
        [
            ":method": "POST", ":scheme": "http", ":authority": "localhost", ":path": path,
            "content-type": "application/grpc", "te": "trailers",
        ]
    }

    static let responseHeaders: HTTP2Headers = [":status": "200", "content-type": "application/grpc"]
    static let okTrailers: HTTP2Headers = ["grpc-status": "0"]
}

/// A server stream that echoes every DATA chunk and ends with trailers when the request ends.
func echoServerStream() -> RecordingStreamHandler {
    RecordingStreamHandler { event, id, connection in
        switch event {
        case .headers(_, let endStream):
            connection.sendHeaders(streamID: id, ConnectedPair.responseHeaders, endStream: false)
            if endStream { connection.sendHeaders(streamID: id, ConnectedPair.okTrailers, endStream: true) }
        case .data(let data, let endStream):
            connection.sendData(streamID: id, data, endStream: false)
            if endStream { connection.sendHeaders(streamID: id, ConnectedPair.okTrailers, endStream: true) }
        default:
            break
        }
    }
}
