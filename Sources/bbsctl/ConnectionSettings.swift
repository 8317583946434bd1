import Foundation
import RPC
import Services

/// Which bbs to call and how: the connection flags merged with their environment variables.
///
/// Exists as a plain value, apart from the flags, so the merge rules live in one pure function:
///
/// | setting | flag (wins) | environment | default |
/// |---|---|---|---|
/// | URLs, in order | `--bbs-url`, repeatable | `BBS_URL`, comma-separated | `https://127.0.0.1:8889` |
/// | CA, certificate, key | `--ca-file`, `--cert-file`, `--key-file` | `BBS_CA_FILE`, `BBS_CERT_FILE`, `BBS_KEY_FILE` | none: required by any `https://` URL |
/// | per-call deadline | `--timeout` | `BBS_TIMEOUT` | `10s` (a Go duration, more than 0) |
///
/// An environment variable that is set but empty counts as unset.
struct ConnectionSettings: Equatable {
    static let defaultURL = "https://127.0.0.1:8889"
    static let defaultTimeout: Duration = .seconds(10)

    /// The connection flags as given, before merging (nil or empty: not given).
    struct Flags: Equatable {
        var bbsURLs: [String] = []
        var caFile: String?
        var certFile: String?
        var keyFile: String?
        var timeout: String?
    }

    /// The URLs to try, in order.
    var urls: [String]
    /// The mutual-TLS files; set when any URL is `https://`.
    var tls: RPCTLSConfiguration?
    var timeout: Duration

    /// Merges `flags` over `environment`, then checks that the result can be used.
    /// - Throws: `BBSCtlError.usage` naming the flag and its variable.
    static func resolve(flags: Flags, environment: [String: String]) throws(BBSCtlError) -> ConnectionSettings {
        func value(_ flag: String?, _ variable: String) -> String? {
            if let flag { return flag }
            guard let text = environment[variable], !text.isEmpty else { return nil }
            return text
        }

        var urls = flags.bbsURLs
        if urls.isEmpty, let list = environment["BBS_URL"] {
            urls = list.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        }
        if urls.isEmpty { urls = [defaultURL] }
        for url in urls where !url.hasPrefix("https://") && !url.hasPrefix("http://") {
            throw .usage("--bbs-url (BBS_URL) must be https://HOST:PORT or http://HOST:PORT, got '\(url)'")
        }

        var tls: RPCTLSConfiguration?
        if urls.contains(where: { $0.hasPrefix("https://") }) {
            let ca = value(flags.caFile, "BBS_CA_FILE")
            let cert = value(flags.certFile, "BBS_CERT_FILE")
            let key = value(flags.keyFile, "BBS_KEY_FILE")
            guard let ca, let cert, let key else {
                let missing = [
                    (ca, "--ca-file (BBS_CA_FILE)"), (cert, "--cert-file (BBS_CERT_FILE)"),
                    (key, "--key-file (BBS_KEY_FILE)"),
                ].filter { $0.0 == nil }.map(\.1)
                throw .usage(
                    "an https:// --bbs-url needs mutual TLS files; missing \(missing.joined(separator: ", "))")
            }
            tls = RPCTLSConfiguration(caFile: ca, certificateChainFile: cert, privateKeyFile: key)
        }

        var timeout = defaultTimeout
        if let text = value(flags.timeout, "BBS_TIMEOUT") {
            do {
                timeout = try GoDuration(parsing: text).duration
            } catch {
                throw .usage("--timeout (BBS_TIMEOUT): \(error)")
            }
            guard timeout > .zero else { throw .usage("--timeout (BBS_TIMEOUT) must be more than 0s, got '\(text)'") }
        }
        return ConnectionSettings(urls: urls, tls: tls, timeout: timeout)
    }
}
