/// The gRPC status a client reports for an HTTP response that carries no `grpc-status`.
///
/// Exists because proxies and our own transport answers (307, 503) may speak plain HTTP; the
/// gRPC spec's "HTTP to gRPC Status Code Mapping" table says what such an answer means.
enum HTTPStatusMapping {
    static func code(forHTTPStatus status: Int) -> RPCStatus.Code {
        switch status {
        case 400: .internal
        case 401: .unauthenticated
        case 403: .permissionDenied
        case 404: .unimplemented
        case 429, 502, 503, 504: .unavailable
        default: .unknown
        }
    }
}
