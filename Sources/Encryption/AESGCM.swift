internal import COpenSSL

/// AES-256-GCM over OpenSSL's EVP API: the cipher of Diego's encrypted record envelope.
///
/// Exists as a tiny namespace so the EVP context never escapes one call: every function allocates its
/// `EVP_CIPHER_CTX`, uses it and frees it before returning.
public enum AESGCM {
    /// Key length in bytes (AES-256).
    public static let keySize = 32
    /// Nonce length in bytes (GCM's recommended 96 bits, as Diego uses).
    public static let nonceSize = 12
    /// Authentication tag length in bytes, appended to the ciphertext.
    public static let tagSize = 16

    /// Encrypts `plaintext`; returns ciphertext followed by the 16-byte tag. No additional data, as Diego.
    public static func seal(_ plaintext: [UInt8], key: [UInt8], nonce: [UInt8]) throws -> [UInt8] {
        guard key.count == keySize else { throw EncryptionError("AES-256 key must be \(keySize) bytes") }
        guard nonce.count == nonceSize else { throw EncryptionError("GCM nonce must be \(nonceSize) bytes") }
        guard let ctx = EVP_CIPHER_CTX_new() else { throw EncryptionError.openSSL("EVP_CIPHER_CTX_new") }
        defer { EVP_CIPHER_CTX_free(ctx) }
        guard EVP_EncryptInit_ex(ctx, EVP_aes_256_gcm(), nil, nil, nil) == 1,
            EVP_CIPHER_CTX_ctrl(ctx, shim_EVP_CTRL_GCM_SET_IVLEN(), Int32(nonceSize), nil) == 1,
            EVP_EncryptInit_ex(ctx, nil, nil, key, nonce) == 1
        else { throw EncryptionError.openSSL("EVP_EncryptInit_ex") }

        var output = [UInt8](repeating: 0, count: plaintext.count + tagSize)
        var written: Int32 = 0
        var final: Int32 = 0
        let ok = output.withUnsafeMutableBufferPointer { out -> Bool in
            guard let base = out.baseAddress else { return false }
            if !plaintext.isEmpty {
                guard EVP_EncryptUpdate(ctx, base, &written, plaintext, Int32(plaintext.count)) == 1 else {
                    return false
                }
            }
            guard EVP_EncryptFinal_ex(ctx, base + Int(written), &final) == 1 else { return false }
            let tagStart = base + Int(written) + Int(final)
            return EVP_CIPHER_CTX_ctrl(ctx, shim_EVP_CTRL_GCM_GET_TAG(), Int32(tagSize), tagStart) == 1
        }
        guard ok else { throw EncryptionError.openSSL("EVP_EncryptUpdate/Final") }
        return output
    }

    /// Decrypts `ciphertextAndTag` (ciphertext followed by the 16-byte tag); throws when the tag does not verify.
    public static func open(_ ciphertextAndTag: [UInt8], key: [UInt8], nonce: [UInt8]) throws -> [UInt8] {
        guard key.count == keySize else { throw EncryptionError("AES-256 key must be \(keySize) bytes") }
        guard nonce.count == nonceSize else { throw EncryptionError("GCM nonce must be \(nonceSize) bytes") }
        guard ciphertextAndTag.count >= tagSize else {
            throw EncryptionError("encrypted payload is shorter than the \(tagSize)-byte GCM tag")
        }
        guard let ctx = EVP_CIPHER_CTX_new() else { throw EncryptionError.openSSL("EVP_CIPHER_CTX_new") }
        defer { EVP_CIPHER_CTX_free(ctx) }
        guard EVP_DecryptInit_ex(ctx, EVP_aes_256_gcm(), nil, nil, nil) == 1,
            EVP_CIPHER_CTX_ctrl(ctx, shim_EVP_CTRL_GCM_SET_IVLEN(), Int32(nonceSize), nil) == 1,
            EVP_DecryptInit_ex(ctx, nil, nil, key, nonce) == 1
        else { throw EncryptionError.openSSL("EVP_DecryptInit_ex") }

        let cipherCount = ciphertextAndTag.count - tagSize
        var tag = Array(ciphertextAndTag[cipherCount...])
        var output = [UInt8](repeating: 0, count: cipherCount + 1)  // +1: never a zero-size buffer
        var written: Int32 = 0
        var final: Int32 = 0
        let ok = output.withUnsafeMutableBufferPointer { out -> Bool in
            guard let base = out.baseAddress else { return false }
            if cipherCount > 0 {
                let updated = ciphertextAndTag.withUnsafeBufferPointer { input in
                    EVP_DecryptUpdate(ctx, base, &written, input.baseAddress, Int32(cipherCount))
                }
                guard updated == 1 else { return false }
            }
            guard EVP_CIPHER_CTX_ctrl(ctx, shim_EVP_CTRL_GCM_SET_TAG(), Int32(tagSize), &tag) == 1 else {
                return false
            }
            return EVP_DecryptFinal_ex(ctx, base + Int(written), &final) == 1
        }
        guard ok else { throw EncryptionError("decryption failed: wrong key or corrupted record") }
        return Array(output[0..<(Int(written) + Int(final))])
    }

    /// `count` cryptographically random bytes (for nonces).
    public static func randomBytes(_ count: Int) throws -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: count)
        guard RAND_bytes(&bytes, Int32(count)) == 1 else { throw EncryptionError.openSSL("RAND_bytes") }
        return bytes
    }

    /// SHA-256 of `data`: how Diego turns a passphrase into an AES-256 key.
    public static func sha256(_ data: [UInt8]) throws -> [UInt8] {
        var digest = [UInt8](repeating: 0, count: 32)
        var length: UInt32 = 0
        guard EVP_Digest(data, data.count, &digest, &length, EVP_sha256(), nil) == 1, length == 32 else {
            throw EncryptionError.openSSL("EVP_Digest(sha256)")
        }
        return digest
    }
}
