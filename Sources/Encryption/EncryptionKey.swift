/// One labelled AES-256 key, derived from an operator's passphrase as Diego does (SHA-256 of the passphrase).
///
/// The label travels inside every encrypted record so a reader picks the right key, which is what makes
/// key rotation possible.
public struct EncryptionKey: Sendable, Equatable {
    /// The most bytes a label may have (its length is stored in one byte; Diego limits it to 127).
    public static let maximumLabelLength = 127

    public let label: String
    /// The 32-byte AES-256 key.
    public let key: [UInt8]

    /// Derives the key from `passphrase`.
    public init(label: String, passphrase: String) throws {
        try self.init(label: label, key: AESGCM.sha256(Array(passphrase.utf8)))
    }

    /// Uses `key` as-is (32 bytes).
    public init(label: String, key: [UInt8]) throws {
        guard !label.isEmpty else { throw EncryptionError("an encryption key label must not be empty") }
        guard label.utf8.count <= Self.maximumLabelLength else {
            throw EncryptionError(
                "encryption key label '\(label)' is longer than \(Self.maximumLabelLength) bytes")
        }
        guard key.count == AESGCM.keySize else {
            throw EncryptionError("an AES-256 key must be \(AESGCM.keySize) bytes, got \(key.count)")
        }
        self.label = label
        self.key = key
    }
}

/// The operator's keys: one active key that encrypts, and every configured key for decrypting older records.
///
/// Mirrors Diego's `encryption_keys` + `active_key_label` configuration, validated the same way (the active
/// label must be among the keys, labels unique).
public struct EncryptionKeySet: Sendable, Equatable {
    public let active: EncryptionKey
    public let keys: [String: EncryptionKey]

    public init(activeLabel: String, keys: [EncryptionKey]) throws {
        var byLabel: [String: EncryptionKey] = [:]
        for key in keys {
            guard byLabel[key.label] == nil else {
                throw EncryptionError("encryption key label '\(key.label)' is configured twice")
            }
            byLabel[key.label] = key
        }
        guard let active = byLabel[activeLabel] else {
            throw EncryptionError("the active key label '\(activeLabel)' is not among the configured keys")
        }
        self.active = active
        self.keys = byLabel
    }

    /// Builds the set from `label → passphrase` pairs.
    public init(activeLabel: String, passphrases: [String: String]) throws {
        try self.init(
            activeLabel: activeLabel,
            keys: passphrases.sorted { $0.key < $1.key }.map { try EncryptionKey(label: $0.key, passphrase: $0.value) })
    }
}
