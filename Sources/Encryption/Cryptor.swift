/// Seals and opens record payloads in Diego's encrypted layout:
/// `[1 byte: label length L][L bytes: label][12 bytes: nonce][AES-256-GCM ciphertext + 16-byte tag]`.
///
/// Exists so the record envelope (base64 and the `"02"` prefix live in Store) never touches key
/// material: it hands bytes in and gets bytes out. Encrypts with the active key, decrypts with whichever
/// configured key the record's label names.
public struct Cryptor: Sendable {
    public let keys: EncryptionKeySet

    public init(keys: EncryptionKeySet) {
        self.keys = keys
    }

    /// Encrypts `plaintext` with the active key and a fresh random nonce.
    public func seal(_ plaintext: [UInt8]) throws -> [UInt8] {
        let nonce = try AESGCM.randomBytes(AESGCM.nonceSize)
        return try seal(plaintext, nonce: nonce)
    }

    /// Encrypts with a given nonce; only for known-answer tests (a nonce must never repeat under one key).
    public func seal(_ plaintext: [UInt8], nonce: [UInt8]) throws -> [UInt8] {
        let key = keys.active
        let label = Array(key.label.utf8)
        let sealed = try AESGCM.seal(plaintext, key: key.key, nonce: nonce)
        var out: [UInt8] = []
        out.reserveCapacity(1 + label.count + nonce.count + sealed.count)
        out.append(UInt8(label.count))
        out.append(contentsOf: label)
        out.append(contentsOf: nonce)
        out.append(contentsOf: sealed)
        return out
    }

    /// The label an encrypted payload names, without decrypting it.
    public static func label(of payload: [UInt8]) throws -> String {
        guard let first = payload.first else { throw EncryptionError("encrypted payload is empty") }
        let length = Int(first)
        guard payload.count >= 1 + length + AESGCM.nonceSize + AESGCM.tagSize else {
            throw EncryptionError("encrypted payload is truncated")
        }
        guard let label = String(validating: payload[1..<(1 + length)], as: UTF8.self) else {
            throw EncryptionError("encrypted payload has a label that is not UTF-8")
        }
        return label
    }

    /// Decrypts a payload sealed by any configured key.
    public func open(_ payload: [UInt8]) throws -> [UInt8] {
        let label = try Self.label(of: payload)
        guard let key = keys.keys[label] else {
            throw EncryptionError(
                "record was encrypted with key '\(label)', which is not configured; add it to the encryption keys")
        }
        let labelEnd = 1 + Int(payload[0])
        let nonce = Array(payload[labelEnd..<(labelEnd + AESGCM.nonceSize)])
        let body = Array(payload[(labelEnd + AESGCM.nonceSize)...])
        return try AESGCM.open(body, key: key.key, nonce: nonce)
    }
}
