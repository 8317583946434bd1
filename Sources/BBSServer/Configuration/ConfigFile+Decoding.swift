import Logging
import Services

// MARK: - Decodable

extension ConfigFile: Decodable {
    /// Every key the file may contain, with the Diego spelling.
    enum Key: String, CodingKey, CaseIterable {
        case listenAddress = "listen_address"
        case advertiseURL = "advertise_url"
        case caFile = "ca_file"
        case certFile = "cert_file"
        case keyFile = "key_file"
        case insecurePlaintext = "insecure_plaintext"
        case store
        case uuid
        case lockTTL = "lock_ttl"
        case lockRetryInterval = "lock_retry_interval"
        case drainTimeout = "drain_timeout"
        case debugAddress = "debug_address"
        case logLevel = "log_level"
        case maxSendMessageSize = "max_send_message_size"
        case encryptionKeys = "encryption_keys"
        case activeKeyLabel = "active_key_label"
        case etcdCAFile = "etcd_ca_file"
        case etcdCertFile = "etcd_cert_file"
        case etcdKeyFile = "etcd_key_file"

        /// What a value of this key must look like, completing "'key' must be …".
        var expectation: String {
            switch self {
            case .listenAddress: #"a string like "0.0.0.0:8889""#
            case .debugAddress: #"a string like "127.0.0.1:17017""#
            case .advertiseURL: #"a string like "https://bbs.service.cf.internal:8889""#
            case .store: #"a string like "sqlite:/var/vcap/store/bbs.db" or "etcd:https://10.0.0.1:2379""#
            case .lockTTL, .lockRetryInterval, .drainTimeout: #"a string like "15s""#
            case .logLevel: #"a string like "info""#
            case .insecurePlaintext: "true or false"
            case .maxSendMessageSize: "a whole number of bytes, like 4194304"
            case .encryptionKeys: #"an object of key label to passphrase, like {"key-2026": "a passphrase"}"#
            case .caFile, .certFile, .keyFile, .etcdCAFile, .etcdCertFile, .etcdKeyFile: "a string (a file path)"
            case .uuid, .activeKeyLabel: "a string"
            }
        }
    }

    /// Decodes the top-level object; throws `FieldProblem` for anything wrong with one key, so that
    /// `ConfigFile.decode` can add the file's name.
    package init(from decoder: any Decoder) throws {
        let keys = try decoder.container(keyedBy: AnyKey.self).allKeys.map(\.stringValue)
        let unknown = keys.filter { Key(rawValue: $0) == nil }.sorted()
        if !unknown.isEmpty { throw FieldProblem.unknownKeys(unknown) }

        let container = try decoder.container(keyedBy: Key.self)
        func value<T: Decodable>(_ key: Key, as type: T.Type = T.self) throws(FieldProblem) -> T? {
            // Any failure of one key's value (a wrong JSON type, 4.5 for an integer, null inside the keys
            // object) is that key's problem; a JSON null counts as absent.
            do { return try container.decodeIfPresent(T.self, forKey: key) } catch { throw .wrongType(key) }
        }

        func duration(_ key: Key) throws(FieldProblem) -> GoDuration? {
            guard let text = try value(key, as: String.self) else { return nil }
            do { return try GoDuration(parsing: text) } catch { throw .invalidValue(key, error.description) }
        }

        self.init()
        listenAddress = try value(.listenAddress)
        advertiseURL = try value(.advertiseURL)
        caFile = try value(.caFile)
        certFile = try value(.certFile)
        keyFile = try value(.keyFile)
        insecurePlaintext = try value(.insecurePlaintext)
        store = try value(.store)
        uuid = try value(.uuid)
        lockTTL = try duration(.lockTTL)
        lockRetryInterval = try duration(.lockRetryInterval)
        drainTimeout = try duration(.drainTimeout)
        debugAddress = try value(.debugAddress)
        if let name = try value(.logLevel, as: String.self) {
            do { logLevel = try Logger.Level(logLevelName: name) } catch {
                throw FieldProblem.invalidValue(.logLevel, "\(error)")
            }
        }
        maxSendMessageSize = try value(.maxSendMessageSize)
        if let size = maxSendMessageSize, size <= 0 {
            throw FieldProblem.invalidValue(.maxSendMessageSize, "it is \(size); it must be more than 0 bytes")
        }
        encryptionKeys = try value(.encryptionKeys)
        activeKeyLabel = try value(.activeKeyLabel)
        etcdCAFile = try value(.etcdCAFile)
        etcdCertFile = try value(.etcdCertFile)
        etcdKeyFile = try value(.etcdKeyFile)
    }
}

/// What is wrong with the file's keys, before the file's name is known.
enum FieldProblem: Error {
    case unknownKeys([String])
    case wrongType(ConfigFile.Key)
    case invalidValue(ConfigFile.Key, String)

    func error(file: String) -> ConfigFileError {
        switch self {
        case .unknownKeys(let keys): .unknownKeys(file, keys, known: ConfigFile.Key.allCases.map(\.rawValue))
        case .wrongType(let key): .wrongType(file, key: key.rawValue, expectation: key.expectation)
        case .invalidValue(let key, let why): .invalidValue(file, key: key.rawValue, why: why)
        }
    }
}

/// Any key of a JSON object, to find the ones the file should not have.
private struct AnyKey: CodingKey {
    var stringValue: String
    var intValue: Int? { nil }
    init(stringValue: String) { self.stringValue = stringValue }
    init?(intValue: Int) { nil }
}
