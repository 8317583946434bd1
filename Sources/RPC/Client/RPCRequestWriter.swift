import SwiftProtobuf

/// The request side of a client's bidirectional call: write messages, then `finish()` to
/// half-close while still reading responses.
///
/// Exists because `RPCWriter` has no way to half-close, and a client must be able to say "no
/// more requests" and then read the rest of the responses (gRPC's ping-pong and empty-stream).
public struct RPCRequestWriter<Message: SwiftProtobuf.Message>: Sendable {
    private let call: ClientCall

    init(call: ClientCall) { self.call = call }

    /// Sends one message; suspends while the stream is not writable; throws when the call ended.
    public func write(_ message: Message) async throws {
        try await call.write(try RPCClient.frame(message, delivery: .maybeSent))
    }

    /// Half-closes the request side (END_STREAM). Further writes are ignored.
    public func finish() {
        call.finishRequests()
    }
}
