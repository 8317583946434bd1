extension RPCError {
    /// How far a failed call's request got, as the client knows it.
    ///
    /// Exists because a caller that may send a request again (the etcd backend failing over to
    /// another member) must know whether the first one could have been applied, and the status
    /// code alone does not say: UNAVAILABLE is both "could not connect" and "connection lost after
    /// the request went out". The client sets it where it builds the error, from what it saw on
    /// the connection, so nobody has to read it out of the message.
    ///
    /// | case | the client saw | safe to send again? |
    /// |---|---|---|
    /// | `answered` | a status from the server (trailers, trailers-only, an HTTP answer) | the status decides |
    /// | `notSent` | no connection, a connection closed while connecting, a stream the server refused (REFUSED_STREAM, GOAWAY before it opened), an end before the request message was written | yes |
    /// | `maybeSent` | the connection lost mid-call, the server resetting the stream, a malformed response, the local deadline or cancellation after the request went out | only if it is idempotent |
    /// | `cannotSend` | a client that cannot send any request (its TLS configuration does not load, it is closed, its URL is malformed) | no: nothing changes on a retry |
    public enum Delivery: Sendable, Equatable, CustomStringConvertible {
        /// The server answered with this status: the request reached it and it decided.
        case answered
        /// The request was never sent: no server saw it, so it was not applied.
        case notSent
        /// The call broke after the request may have gone out: it may or may not have been applied.
        case maybeSent
        /// Nothing was sent and this client cannot send any request as configured.
        case cannotSend

        /// The case in words, for logs and test names.
        public var description: String {
            switch self {
            case .answered: "answered"
            case .notSent: "not sent"
            case .maybeSent: "maybe sent"
            case .cannotSend: "cannot send"
            }
        }
    }

    /// A failure the client saw on its side of the call (not a status the server sent).
    static func client(_ code: RPCStatus.Code, _ message: String, _ delivery: Delivery) -> RPCError {
        RPCError(code: code, message: message, delivery: delivery)
    }

    /// This error, as the client reports it when it saw it with `delivery` (e.g. a metadata
    /// error that the shared header parser built with the server's default, `.answered`).
    func delivered(_ delivery: Delivery) -> RPCError {
        var error = self
        error.delivery = delivery
        return error
    }
}
