import Store

/// One etcd member's client URL: `http://host:port` (h2c) or `https://host:port` (mutual TLS).
///
/// Exists so a typo in `--store etcd:...` is refused at start-up with a message naming the bad
/// part, rather than surfacing later as an unreachable store.
public struct EtcdEndpoint: Sendable, Hashable, CustomStringConvertible {
    /// How the connection is secured.
    public enum Scheme: String, Sendable, Hashable {
        /// HTTP/2 with prior knowledge, no TLS.
        case http
        /// HTTP/2 over mutual TLS.
        case https
    }

    /// etcd's default client port, used when a URL names none.
    public static let defaultPort = 2379

    /// h2c or mutual TLS.
    public var scheme: Scheme
    /// A DNS name or IP address; IPv6 without brackets.
    public var host: String
    /// The client port (etcd's default is 2379).
    public var port: Int

    /// An endpoint from its parts, unchecked (`init(url:)` validates).
    public init(scheme: Scheme, host: String, port: Int) {
        self.scheme = scheme
        self.host = host
        self.port = port
    }

    /// Parses `http://host[:port]` or `https://host[:port]` (IPv6 hosts in brackets; a trailing `/`
    /// is allowed, any other path, query or user part is not).
    public init(url: String) throws {
        let text = url.trimmingWhitespace()
        let bad = { (why: String) in
            StoreError.invalidArgument(
                "bad etcd endpoint '\(text)': \(why); expected http://HOST:PORT or https://HOST:PORT")
        }
        let lower = text.lowercased()
        let rest: Substring
        if lower.hasPrefix("http://") {
            scheme = .http
            rest = text.dropFirst("http://".count)
        } else if lower.hasPrefix("https://") {
            scheme = .https
            rest = text.dropFirst("https://".count)
        } else {
            throw bad("the scheme must be http (h2c) or https (mutual TLS)")
        }
        var authority = rest
        if authority.hasSuffix("/") { authority = authority.dropLast() }
        if authority.contains(where: { "/?#".contains($0) }) { throw bad("a path, query or fragment is not allowed") }
        if authority.contains("@") { throw bad("user information is not allowed") }
        if authority.isEmpty { throw bad("the host is missing") }

        let hostPart: Substring
        let portPart: Substring?
        if authority.hasPrefix("[") {
            guard let close = authority.firstIndex(of: "]") else { throw bad("an IPv6 address lacks its closing ']'") }
            hostPart = authority[authority.index(after: authority.startIndex)..<close]
            let after = authority[authority.index(after: close)...]
            if after.isEmpty {
                portPart = nil
            } else if after.hasPrefix(":") {
                portPart = after.dropFirst()
            } else {
                throw bad("unexpected '\(after)' after the IPv6 address")
            }
            guard !hostPart.isEmpty, hostPart.allSatisfy({ $0.isHexDigit || $0 == ":" || $0 == "." }) else {
                throw bad("'\(hostPart)' is not an IPv6 address")
            }
        } else {
            let pieces = authority.split(separator: ":", omittingEmptySubsequences: false)
            guard pieces.count <= 2 else { throw bad("too many ':' (write IPv6 addresses in brackets)") }
            hostPart = pieces[0]
            portPart = pieces.count == 2 ? pieces[1] : nil
            guard !hostPart.isEmpty else { throw bad("the host is missing") }
            guard hostPart.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "-._".contains($0)) }) else {
                throw bad("'\(hostPart)' is not a host name or IP address")
            }
        }
        host = String(hostPart)
        if let portPart {
            guard let number = Int(portPart), (1...65535).contains(number) else {
                throw bad("the port '\(portPart)' is not a number from 1 to 65535")
            }
            port = number
        } else {
            port = Self.defaultPort
        }
    }

    /// The URL in canonical form.
    public var description: String {
        let shownHost = host.contains(":") ? "[\(host)]" : host
        return "\(scheme.rawValue)://\(shownHost):\(port)"
    }
}

/// The files that authenticate bbs to an etcd served over mutual TLS.
///
/// Exists so callers configure etcd's TLS with paths alone, without importing the TLS module.
public struct EtcdTLSFiles: Sendable, Equatable {
    /// PEM CA certificates that etcd's server certificate must chain to.
    public var caFile: String
    /// PEM client certificate chain presented to etcd.
    public var certificateFile: String
    /// PEM private key of the client certificate.
    public var keyFile: String
    /// The name verified in etcd's certificate (and sent as SNI); the endpoint's host when nil.
    public var serverName: String?

    /// Paths to PEM files; `serverName` overrides the name checked in etcd's certificate.
    public init(caFile: String, certificateFile: String, keyFile: String, serverName: String? = nil) {
        self.caFile = caFile
        self.certificateFile = certificateFile
        self.keyFile = keyFile
        self.serverName = serverName
    }
}

/// Everything `EtcdBackend` needs: the members to try in order, TLS files, and the limits it
/// enforces before etcd would refuse a request.
///
/// Exists so `--store etcd:URL[,URL...]` becomes one validated value.
public struct EtcdConfiguration: Sendable {
    /// The members, tried in this order; a call moves to the next one when one fails.
    public var endpoints: [EtcdEndpoint]
    /// Required when any endpoint is `https`.
    public var tls: EtcdTLSFiles?
    /// The deadline of one attempt of one call on one endpoint.
    public var callTimeout: Duration = .seconds(5)
    /// How long to wait for a TCP (and TLS) connection to a member.
    public var connectTimeout: Duration = .seconds(2)
    /// The total time one call may spend moving between endpoints (rounds over all of them with
    /// a short pause between rounds) before it fails with `backendFailure`. Covers a leader
    /// election after a member dies, which takes about one election timeout (1 s by default).
    public var failoverBudget: Duration = .seconds(15)
    /// The pause before trying the whole endpoint list again after every endpoint failed.
    public var roundPause: Duration = .milliseconds(200)
    /// The most operations (and the most conditions) one `Transaction` may hold. etcd refuses a
    /// Txn with more than `--max-txn-ops` (default 128) of either; raise both together.
    public var maxTransactionOperations = 128
    /// The largest encoded request sent. etcd refuses requests over `--max-request-bytes`
    /// (default 1.5 MiB); raise both together.
    public var maxRequestBytes = 1_572_864

    /// Members in failover order, with the default limits and timeouts.
    public init(endpoints: [EtcdEndpoint], tls: EtcdTLSFiles? = nil) {
        self.endpoints = endpoints
        self.tls = tls
    }

    /// Parses `--store etcd:URL[,URL...]`, e.g. `etcd:http://127.0.0.1:2379,http://127.0.0.1:22379`.
    /// The `etcd:` scheme may be omitted.
    public init(storeURL: String, tls: EtcdTLSFiles? = nil) throws {
        var list = Substring(storeURL.trimmingWhitespace())
        if list.lowercased().hasPrefix("etcd:") { list = list.dropFirst("etcd:".count) }
        if list.hasPrefix("//") {
            throw StoreError.invalidArgument(
                "bad etcd store '\(storeURL)': write etcd:http://HOST:PORT[,http://HOST:PORT...], not etcd://")
        }
        guard !list.isEmpty else {
            throw StoreError.invalidArgument(
                "bad etcd store '\(storeURL)': no endpoint; write etcd:http://HOST:PORT[,http://HOST:PORT...]")
        }
        var endpoints: [EtcdEndpoint] = []
        for (index, item) in list.split(separator: ",", omittingEmptySubsequences: false).enumerated() {
            guard !String(item).trimmingWhitespace().isEmpty else {
                throw StoreError.invalidArgument("bad etcd store '\(storeURL)': endpoint \(index + 1) is empty")
            }
            let endpoint = try EtcdEndpoint(url: String(item))
            guard !endpoints.contains(endpoint) else {
                throw StoreError.invalidArgument("bad etcd store '\(storeURL)': \(endpoint) is listed twice")
            }
            endpoints.append(endpoint)
        }
        self.init(endpoints: endpoints, tls: tls)
    }

    /// Throws `invalidArgument` when the configuration cannot work: no endpoints, an `https`
    /// endpoint without TLS files, or a limit below 1.
    public func validate() throws {
        guard !endpoints.isEmpty else { throw StoreError.invalidArgument("etcd: no endpoint configured") }
        if tls == nil, let secure = endpoints.first(where: { $0.scheme == .https }) {
            throw StoreError.invalidArgument(
                "etcd endpoint \(secure) uses mutual TLS: give the CA file, client certificate and key")
        }
        guard maxTransactionOperations >= 1, maxRequestBytes >= 1 else {
            throw StoreError.invalidArgument("etcd: maxTransactionOperations and maxRequestBytes must be positive")
        }
    }

    /// The configuration in `--store` form.
    public var storeURL: String { "etcd:" + endpoints.map(\.description).joined(separator: ",") }
}

extension String {
    func trimmingWhitespace() -> String {
        var scalars = Substring(self)
        while let first = scalars.first, first.isWhitespace { scalars = scalars.dropFirst() }
        while let last = scalars.last, last.isWhitespace { scalars = scalars.dropLast() }
        return String(scalars)
    }
}
