import Foundation
import NIOCore
import NIOPosix

/// An HTTP/1.1 response as a test reads it off a real socket.
///
/// The client is raw bytes on purpose: the test says exactly what goes on the wire, and what comes back
/// is checked as an operator's `curl` would see it.
struct HTTPReply {
    var status: Int
    /// Header names lowercased.
    var headers: [String: String]
    var body: String

    /// Connects to 127.0.0.1:`port`, sends `request`, and reads until the server closes.
    static func send(_ request: String, port: Int) async throws -> HTTPReply {
        try await withConnection(port: port) { connection in
            try await connection.write(request)
            let bytes = try await connection.readUntilClosed()
            guard let (reply, _) = parse(bytes, complete: true) else { throw HTTPTestConnection.Failure.malformed }
            return reply
        }
    }

    /// Runs `body` with an open connection to 127.0.0.1:`port`, then closes it.
    static func withConnection<Result: Sendable>(
        port: Int, _ body: (HTTPTestConnection) async throws -> Result
    ) async throws -> Result {
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .connect(host: "127.0.0.1", port: port) { channel in
                channel.eventLoop.makeCompletedFuture {
                    try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel)
                }
            }
        return try await channel.executeThenClose { inbound, outbound in
            try await body(HTTPTestConnection(inbound: inbound.makeAsyncIterator(), outbound: outbound))
        }
    }

    /// Parses one response from the start of `bytes`: nil until the head and the body have arrived (the body
    /// is everything after the head when `complete`, else `content-length` bytes). Also returns how many
    /// bytes the response took.
    static func parse(_ bytes: [UInt8], complete: Bool) -> (reply: HTTPReply, length: Int)? {
        let separator = Array("\r\n\r\n".utf8)
        guard let end = bytes.indices.first(where: { bytes[$0...].starts(with: separator) }) else { return nil }
        let lines = String(decoding: bytes[..<end], as: UTF8.self).components(separatedBy: "\r\n")
        guard let statusText = lines.first?.split(separator: " ").dropFirst().first, let status = Int(statusText)
        else { return nil }
        var headers: [String: String] = [:]
        for line in lines.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingSpaces()
        }
        let bodyStart = end + separator.count
        let bodyLength = complete ? bytes.count - bodyStart : Int(headers["content-length"] ?? "0") ?? 0
        guard bytes.count >= bodyStart + bodyLength else { return nil }
        let body = String(decoding: bytes[bodyStart..<(bodyStart + bodyLength)], as: UTF8.self)
        return (HTTPReply(status: status, headers: headers, body: body), bodyStart + bodyLength)
    }
}

/// One client connection: write requests, read responses or the end of the stream.
final class HTTPTestConnection {
    enum Failure: Error {
        case closedBeforeResponse
        case malformed
    }

    private var inbound: NIOAsyncChannelInboundStream<ByteBuffer>.AsyncIterator
    private let outbound: NIOAsyncChannelOutboundWriter<ByteBuffer>
    private var pending: [UInt8] = []

    init(
        inbound: NIOAsyncChannelInboundStream<ByteBuffer>.AsyncIterator,
        outbound: NIOAsyncChannelOutboundWriter<ByteBuffer>
    ) {
        self.inbound = inbound
        self.outbound = outbound
    }

    func write(_ request: String) async throws {
        try await outbound.write(ByteBuffer(string: request))
    }

    /// Sends `request` and reads one whole response (by `content-length`), leaving the connection open.
    func exchange(_ request: String) async throws -> HTTPReply {
        try await write(request)
        while true {
            if let (reply, length) = HTTPReply.parse(pending, complete: false) {
                pending.removeFirst(length)
                return reply
            }
            guard let chunk = try await inbound.next() else { throw Failure.closedBeforeResponse }
            pending.append(contentsOf: chunk.readableBytesView)
        }
    }

    /// Everything not yet read, until the server closes the connection.
    func readUntilClosed() async throws -> [UInt8] {
        var bytes = pending
        pending = []
        while let chunk = try await inbound.next() { bytes.append(contentsOf: chunk.readableBytesView) }
        return bytes
    }
}

extension Substring {
    fileprivate func trimmingSpaces() -> String {
        String(drop { $0 == " " }.reversed().drop { $0 == " " }.reversed())
    }
}
