/// The header names and values that gRPC over HTTP/2 reserves, in one place.
///
/// Exists so server and client spell the protocol's headers the same way and agree on which
/// headers are the transport's (never shown to handlers as metadata).
public enum GRPCHeaderName {
    public static let contentType = "content-type"
    public static let te = "te"
    public static let status = "grpc-status"
    public static let message = "grpc-message"
    public static let timeout = "grpc-timeout"
    public static let encoding = "grpc-encoding"
    public static let acceptEncoding = "grpc-accept-encoding"
    public static let userAgent = "user-agent"

    /// The content type every response carries.
    public static let grpcContentType = "application/grpc"
    /// The message encodings this implementation reads, as advertised in `grpc-accept-encoding`.
    public static let supportedEncodings = "identity,gzip"

    /// Whether `value` is a gRPC content type this implementation serves: `application/grpc`,
    /// `application/grpc+proto`, each optionally followed by `;parameters`.
    public static func isGRPCContentType(_ value: String) -> Bool {
        // What every client sends, without lower-casing a copy.
        if value == grpcContentType || value == "application/grpc+proto" { return true }
        var utf8 = Substring(value).utf8
        if let semicolon = utf8.firstIndex(of: UInt8(ascii: ";")) {
            utf8 = utf8[..<semicolon]
        }
        var type = Substring(utf8)
        while type.last == " " { type = type.dropLast() }
        let lowered = type.lowercased()
        return lowered == "application/grpc" || lowered == "application/grpc+proto"
    }

    /// Headers that are the transport's and never metadata: pseudo-headers, `content-type`,
    /// `te`, `content-length`, connection-specific headers and everything `grpc-`.
    public static func isReserved(_ name: String) -> Bool {
        if name.utf8.first == UInt8(ascii: ":") { return true }
        if name.utf8.starts(with: "grpc-".utf8) { return true }
        switch name {
        case "content-type", "te", "content-length", "connection", "keep-alive", "proxy-connection",
            "transfer-encoding", "upgrade", "host":
            return true
        default:
            return false
        }
    }
}
