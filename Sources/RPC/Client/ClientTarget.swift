/// Where a connection goes: host, port, and whether it speaks TLS.
///
/// Exists so a redirect's `location` (or `bbs-master-url`) can be turned into a connection target
/// with the same TLS settings, and so pools can be looked up by base URL.
struct ClientTarget: Sendable, Hashable, CustomStringConvertible {
    var host: String
    var port: Int
    var usesTLS: Bool

    /// `https://host:port` or `http://host:port`.
    var baseURL: String { "\(usesTLS ? "https" : "http")://\(Self.bracketed(host)):\(port)" }

    var description: String { baseURL }

    /// The `:authority` header.
    var authority: String { "\(Self.bracketed(host)):\(port)" }

    /// Parses `scheme://host[:port][/path...]`; the path (if any) is ignored.
    init?(url: String) {
        let usesTLS: Bool
        var rest: Substring
        if url.hasPrefix("https://") {
            usesTLS = true
            rest = url.dropFirst("https://".count)
        } else if url.hasPrefix("http://") {
            usesTLS = false
            rest = url.dropFirst("http://".count)
        } else {
            return nil
        }
        if let slash = rest.firstIndex(of: "/") { rest = rest[..<slash] }
        let host: Substring
        var portText: Substring?
        if rest.hasPrefix("[") {
            guard let close = rest.firstIndex(of: "]") else { return nil }
            host = rest[rest.index(after: rest.startIndex)..<close]
            let after = rest[rest.index(after: close)...]
            if after.hasPrefix(":") { portText = after.dropFirst() } else if !after.isEmpty { return nil }
        } else if let colon = rest.lastIndex(of: ":") {
            host = rest[..<colon]
            portText = rest[rest.index(after: colon)...]
        } else {
            host = rest
        }
        guard !host.isEmpty else { return nil }
        let port: Int
        if let portText {
            guard let parsed = Int(portText), (1...65535).contains(parsed) else { return nil }
            port = parsed
        } else {
            port = usesTLS ? 443 : 80
        }
        self.init(host: String(host), port: port, usesTLS: usesTLS)
    }

    init(host: String, port: Int, usesTLS: Bool) {
        self.host = host
        self.port = port
        self.usesTLS = usesTLS
    }

    /// Whether `host` is an IPv4 or IPv6 literal (no SNI is sent for those).
    var hostIsIPAddress: Bool {
        host.contains(":") || (host.split(separator: ".").count == 4 && host.allSatisfy { $0.isNumber || $0 == "." })
    }

    private static func bracketed(_ host: String) -> String { host.contains(":") ? "[\(host)]" : host }
}
