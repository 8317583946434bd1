import NIOCore

/// What a type-erased route body uses to talk to its call: the unary request, the request
/// stream, response writes and the unary response.
///
/// Exists to keep the typed router closures free of event-loop details: writes hop to the loop
/// through here and suspend while the stream is above its outbound watermark.
struct ServerCallHandle: Sendable {
    /// Absent for unary calls, which neither stream requests nor write before they return.
    let bridge: ServerCallBridge?
    let eventLoop: any EventLoop
    let stream: NIOLoopBound<ServerStreamHandler>
    /// Unary and server-streaming: the request, already complete.
    let unaryRequest: ByteBuffer?
    let maxSendMessageSize: Int

    func nextRequest() async throws -> ByteBuffer? {
        guard let bridge else { return nil }
        return try await bridge.nextRequest { credit in
            let stream = self.stream
            eventLoop.execute { stream.value.returnCredit(credit) }
        }
    }

    func write(_ framed: ByteBuffer) async throws {
        guard let bridge else { throw RPCError(code: .internal, message: "a unary call cannot stream responses") }
        if let error = bridge.closedError { throw error }
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
            let stream = self.stream
            eventLoop.execute { stream.value.writeFromHandler(framed, continuation) }
        }
    }
}
