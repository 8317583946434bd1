/// The error a handler, interceptor or client call throws to end a call with a non-OK status.
///
/// Exists so domain layers answer with a precise gRPC status, trailing metadata (e.g.
/// `bbs-error-type`) and, for the two transport-level answers (redirect, unavailable), an HTTP
/// status other than 200 in the same trailers-only HEADERS frame.
public struct RPCError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The gRPC status code.
    public var code: RPCStatus.Code
    /// The status message (`grpc-message`), for people: decide from `code` and `delivery`.
    public var message: String
    /// Sent as trailers (or, for a trailers-only answer, in the single HEADERS frame).
    public var metadata: Metadata
    /// When set, the answer is trailers-only with this HTTP status and these extra headers.
    public var httpAnswer: HTTPAnswer?
    /// How far the request got before the call failed, as the client knows it (see `Delivery`).
    /// Errors a handler throws, and statuses the client reads from the server, are `.answered`.
    public var delivery: Delivery

    /// A non-200 HTTP answer carried by an error (307 redirect, 503 unavailable).
    public struct HTTPAnswer: Sendable, Equatable {
        public var status: Int
        /// Extra HTTP headers (`location`, `retry-after`), lower-case names.
        public var headers: [(name: String, value: String)]

        public init(status: Int, headers: [(name: String, value: String)]) {
            self.status = status
            self.headers = headers
        }

        public static func == (lhs: HTTPAnswer, rhs: HTTPAnswer) -> Bool {
            lhs.status == rhs.status && lhs.headers.map(\.name) == rhs.headers.map(\.name)
                && lhs.headers.map(\.value) == rhs.headers.map(\.value)
        }
    }

    /// An error with a status; `delivery` is set by the client for failures of its own.
    public init(
        code: RPCStatus.Code, message: String, metadata: Metadata = [:], httpAnswer: HTTPAnswer? = nil,
        delivery: Delivery = .answered
    ) {
        self.code = code
        self.message = message
        self.metadata = metadata
        self.httpAnswer = httpAnswer
        self.delivery = delivery
    }

    /// The code and message as a status.
    public var status: RPCStatus { RPCStatus(code: code, message: message) }

    /// `code: message`, for logs.
    public var description: String { message.isEmpty ? "\(code)" : "\(code): \(message)" }
}

// MARK: - The two reusable transport answers

extension RPCError {
    /// The metadata key that names the master's base URL in a redirect.
    public static let masterURLMetadataKey = "bbs-master-url"

    /// "Not the master": HTTP 307 with `location` = `masterURL` + `path`, grpc-status 14
    /// UNAVAILABLE, a message naming the master, and `bbs-master-url` metadata.
    /// - Parameters:
    ///   - masterURL: the master's base URL, e.g. `https://10.0.0.2:8889`.
    ///   - path: the call's path, e.g. `/diego.bbs.TaskService/DesireTask`.
    public static func redirect(toMaster masterURL: String, path: String) -> RPCError {
        let base = masterURL.hasSuffix("/") ? String(masterURL.dropLast()) : masterURL
        return RPCError(
            code: .unavailable,
            message: "not the master: redirect to the master at \(base)",
            metadata: [masterURLMetadataKey: base],
            httpAnswer: HTTPAnswer(status: 307, headers: [("location", base + path)]))
    }

    /// "Unavailable for now": HTTP 503 with grpc-status 14, the reason, and `retry-after` seconds.
    public static func unavailable(reason: String, retryAfterSeconds: Int = 1) -> RPCError {
        RPCError(
            code: .unavailable,
            message: reason,
            httpAnswer: HTTPAnswer(status: 503, headers: [("retry-after", String(retryAfterSeconds))]))
    }
}
