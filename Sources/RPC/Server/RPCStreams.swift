import SwiftProtobuf

/// Sends messages on a streaming call (server responses, or client requests).
///
/// Exists so a producer suspends when the peer reads slowly: `write` returns only once the
/// message fits under the stream's outbound watermark, so nothing buffers without bound.
public struct RPCWriter<Message: SwiftProtobuf.Message>: Sendable {
    private let _write: @Sendable (Message) async throws -> Void

    public init(write: @escaping @Sendable (Message) async throws -> Void) {
        self._write = write
    }

    /// Sends one message; suspends while the stream is not writable; throws when the call ended.
    public func write(_ message: Message) async throws {
        try await _write(message)
    }

    public func write(contentsOf messages: some Sequence<Message>) async throws {
        for message in messages { try await write(message) }
    }
}

/// The messages the peer sends on a streaming call, decoded one at a time as they arrive.
///
/// Exists so handlers and clients consume requests with `for try await` and the transport
/// returns flow-control credit only as messages are consumed (backpressure).
public struct RPCMessageStream<Message: SwiftProtobuf.Message>: AsyncSequence, Sendable {
    public typealias Element = Message
    public typealias Failure = any Error

    private let makeNext: @Sendable () -> (@Sendable () async throws -> Message?)

    public init(makeNext: @escaping @Sendable () -> (@Sendable () async throws -> Message?)) {
        self.makeNext = makeNext
    }

    public struct AsyncIterator: AsyncIteratorProtocol {
        let next: @Sendable () async throws -> Message?
        public mutating func next() async throws -> Message? { try await next() }
    }

    public func makeAsyncIterator() -> AsyncIterator { AsyncIterator(next: makeNext()) }
}
