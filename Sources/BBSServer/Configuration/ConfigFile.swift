import Foundation
import Logging
import Services

/// The `--config FILE` of `bbs`: a JSON object in Diego's style (snake_case keys, durations as Go
/// strings such as `"15s"`, checked when the file is loaded), every key optional.
///
///     {
///       "listen_address": "0.0.0.0:8889",
///       "ca_file": "/var/vcap/jobs/bbs/config/ca.crt",
///       "store": "etcd:https://10.0.0.1:2379,https://10.0.0.2:2379",
///       "uuid": "bbs-0",
///       "lock_ttl": "15s",
///       "encryption_keys": {"key-2026": "a passphrase"},
///       "active_key_label": "key-2026"
///     }
///
/// Exists so an operator moving from Diego keeps the shape of `bbs.json`, and so a typo fails at start-up
/// naming the file and the key (`unknown key 'lock_tll'`) instead of being ignored the way Go's
/// `encoding/json` ignores it. This is only the file: the server wiring merges it with the flags
/// (a flag given wins) and applies defaults and cross-field rules (key sets, TLS files, store URLs).
package struct ConfigFile: Sendable, Equatable {
    /// `HOST:PORT` the gRPC server listens on.
    package var listenAddress: String?
    /// The URL other instances and clients use to reach this one (Diego's `advertise_url`).
    package var advertiseURL: String?
    /// The CA that client certificates must chain to.
    package var caFile: String?
    /// The server certificate chain (PEM).
    package var certFile: String?
    /// The server private key (PEM).
    package var keyFile: String?
    /// Serve h2c without TLS (development only).
    package var insecurePlaintext: Bool?
    /// The store: `sqlite:PATH` or `etcd:URL[,URL...]`.
    package var store: String?
    /// This instance's id, the owner recorded in the master lock.
    package var uuid: String?
    /// How long the master lock lives without a renewal (`"15s"` in the file).
    package var lockTTL: GoDuration?
    /// How often a standby retries the lock and the master renews it (`"5s"` in the file).
    package var lockRetryInterval: GoDuration?
    /// How long calls in flight may take to finish at shutdown (a Go duration in the file).
    package var drainTimeout: GoDuration?
    /// `HOST:PORT` of the operators' HTTP endpoint (`/healthz`).
    package var debugAddress: String?
    /// The least severe level written to the log.
    package var logLevel: Logger.Level?
    /// Larger gRPC responses end with RESOURCE_EXHAUSTED; bytes, more than 0.
    package var maxSendMessageSize: Int?
    /// Encryption keys by label (label -> passphrase), Diego's shape.
    package var encryptionKeys: [String: String]?
    /// The label of the key that encrypts new records.
    package var activeKeyLabel: String?
    /// The CA of the etcd members (https endpoints).
    package var etcdCAFile: String?
    /// The client certificate for etcd.
    package var etcdCertFile: String?
    /// The client key for etcd.
    package var etcdKeyFile: String?

    /// A file that sets nothing.
    package init() {}

    /// Reads and decodes the file at `path`; every failure is a `ConfigFileError` naming `path`.
    package static func load(path: String) throws(ConfigFileError) -> ConfigFile {
        try decode(try contents(of: path), name: path)
    }

    /// Decodes the bytes of a config file; `name` is how errors call the file.
    package static func decode(_ data: Data, name: String) throws(ConfigFileError) -> ConfigFile {
        do {
            return try JSONDecoder().decode(ConfigFile.self, from: data)
        } catch let problem as FieldProblem {
            throw problem.error(file: name)
        } catch DecodingError.typeMismatch(_, let context) where context.codingPath.isEmpty {
            throw .notAnObject(name)
        } catch {
            throw .invalidJSON(name, detail: syntaxDetail(data))
        }
    }

    // MARK: - Operator messages

    /// The file's bytes, read with POSIX calls so a failure says what `errno` says ("No such file or
    /// directory", "Permission denied", "Is a directory") rather than Foundation's generic sentence.
    private static func contents(of path: String) throws(ConfigFileError) -> Data {
        let descriptor = open(path, O_RDONLY)
        guard descriptor >= 0 else { throw .unreadable(path, reason: String(cString: strerror(errno))) }
        defer { close(descriptor) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 16_384)
        while true {
            let count = chunk.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
            if count > 0 {
                bytes.append(contentsOf: chunk[..<count])
            } else if count == 0 {
                return Data(bytes)
            } else if errno != EINTR {
                throw .unreadable(path, reason: String(cString: strerror(errno)))
            }
        }
    }

    /// Where the JSON goes wrong, as `line L, column C: …`, from Foundation's parser (the decoder only says
    /// "not valid JSON").
    private static func syntaxDetail(_ data: Data) -> String {
        do {
            _ = try JSONSerialization.jsonObject(with: data)
            return "it is not valid JSON"
        } catch {
            let text = (error as NSError).userInfo[NSDebugDescriptionErrorKey] as? String ?? "\(error)"
            guard let range = text.range(of: #"character \d+"#, options: .regularExpression),
                let offset = Int(text[range].dropFirst("character ".count))
            else { return text }
            let before = [UInt8](data).prefix(offset)
            let line = before.count(where: { $0 == UInt8(ascii: "\n") }) + 1
            let column = offset - (before.lastIndex(of: UInt8(ascii: "\n")).map { $0 + 1 } ?? 0) + 1
            return text.replacingCharacters(in: range, with: "line \(line), column \(column)")
        }
    }
}
