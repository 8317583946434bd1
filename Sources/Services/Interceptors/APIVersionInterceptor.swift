import RPC

/// The `bbs-api-version` check (API.md): a server of major Ms serves a client of major Mc when
/// `0 <= Ms - Mc <= 1`; others get FAILED_PRECONDITION naming both versions. A missing header means the
/// server's own version; a header that is not `MAJOR.MINOR` is INVALID_ARGUMENT naming it.
public struct APIVersionInterceptor: ServerInterceptor {
    private let server: APIVersion

    public init(server: APIVersion = .current) {
        self.server = server
    }

    public func intercept(_ context: ServerContext, next: @Sendable (ServerContext) async throws -> Void) async throws {
        try check(context.requestMetadata[APIVersion.headerName])
        try await next(context)
    }

    /// Throws the refusal for a header value (nil: absent).
    func check(_ header: String?) throws(RPCError) {
        guard let header else { return }
        guard let client = APIVersion(header) else {
            throw BBSError.invalidRequest(
                field: APIVersion.headerName, "must be MAJOR.MINOR (this server speaks \(server)), got '\(header)'")
        }
        guard server.serves(client) else {
            throw BBSError.make(
                .failedPrecondition, .invalidRequest,
                "client API version \(client) is not served by this server's API version \(server): a server of "
                    + "major version \(server.major) serves clients of major \(server.major - 1) and \(server.major)")
        }
    }
}
