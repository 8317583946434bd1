import Encryption
import Testing

private func hex(_ string: String) -> [UInt8] {
    var bytes: [UInt8] = []
    var index = string.startIndex
    while index < string.endIndex {
        let next = string.index(index, offsetBy: 2)
        bytes.append(UInt8(string[index..<next], radix: 16)!)
        index = next
    }
    return bytes
}

@Suite("Encryption")
struct EncryptionTests {
    @Test("AES-256-GCM matches the published test vectors (McGrew–Viega cases 13 and 14)")
    func knownAnswers() throws {
        let key = [UInt8](repeating: 0, count: 32)
        let nonce = [UInt8](repeating: 0, count: 12)
        #expect(try AESGCM.seal([], key: key, nonce: nonce) == hex("530f8afbc74536b9a963b4f1c4cb738b"))
        let sealed = try AESGCM.seal([UInt8](repeating: 0, count: 16), key: key, nonce: nonce)
        #expect(sealed == hex("cea7403d4d606b6e074ec5d3baf39d18" + "d0d1c8a799996bf0265b98b5d48ab919"))
        #expect(try AESGCM.open(sealed, key: key, nonce: nonce) == [UInt8](repeating: 0, count: 16))
    }

    @Test("a key is SHA-256 of the passphrase")
    func keyDerivation() throws {
        let key = try EncryptionKey(label: "k1", passphrase: "abc")
        #expect(key.key == hex("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"))
    }

    @Test("sealed payloads carry the label and a fresh nonce and open with the same keys")
    func roundTrip() throws {
        let keys = try EncryptionKeySet(activeLabel: "k1", passphrases: ["k1": "secret"])
        let cryptor = Cryptor(keys: keys)
        let plaintext = Array("hello bbs".utf8)
        let a = try cryptor.seal(plaintext)
        let b = try cryptor.seal(plaintext)
        #expect(a != b)
        #expect(a[0] == 2 && Array(a[1...2]) == Array("k1".utf8))
        #expect(a.count == 1 + 2 + 12 + plaintext.count + 16)
        #expect(try cryptor.open(a) == plaintext)
        #expect(try cryptor.open(b) == plaintext)
    }

    @Test("records sealed with an old key open after rotation while the old key stays configured")
    func rotation() throws {
        let old = Cryptor(keys: try EncryptionKeySet(activeLabel: "old", passphrases: ["old": "p1"]))
        let sealed = try old.seal(Array("x".utf8))
        let rotated = Cryptor(keys: try EncryptionKeySet(activeLabel: "new", passphrases: ["old": "p1", "new": "p2"]))
        #expect(try rotated.open(sealed) == Array("x".utf8))
        #expect(try Cryptor.label(of: try rotated.seal([1])) == "new")
        let withoutOld = Cryptor(keys: try EncryptionKeySet(activeLabel: "new", passphrases: ["new": "p2"]))
        #expect(throws: EncryptionError.self) { try withoutOld.open(sealed) }
    }

    @Test("a tampered, truncated or wrong-key payload is an error, not garbage")
    func tampering() throws {
        let cryptor = Cryptor(keys: try EncryptionKeySet(activeLabel: "k", passphrases: ["k": "p"]))
        var sealed = try cryptor.seal(Array("payload".utf8))
        sealed[sealed.count - 1] ^= 1
        #expect(throws: EncryptionError.self) { try cryptor.open(sealed) }
        #expect(throws: EncryptionError.self) { try cryptor.open([]) }
        #expect(throws: EncryptionError.self) { try cryptor.open([1, 0x6b, 0, 0]) }
        let other = Cryptor(keys: try EncryptionKeySet(activeLabel: "k", passphrases: ["k": "other"]))
        #expect(throws: EncryptionError.self) { try other.open(try cryptor.seal([1, 2, 3])) }
    }

    @Test("key sets reject a missing active label, duplicates and over-long labels")
    func keySetValidation() throws {
        #expect(throws: EncryptionError.self) { try EncryptionKeySet(activeLabel: "a", passphrases: ["b": "p"]) }
        let k = try EncryptionKey(label: "a", passphrase: "p")
        #expect(throws: EncryptionError.self) { try EncryptionKeySet(activeLabel: "a", keys: [k, k]) }
        #expect(throws: EncryptionError.self) {
            try EncryptionKey(label: String(repeating: "x", count: 128), passphrase: "p")
        }
        #expect(throws: EncryptionError.self) { try EncryptionKey(label: "", passphrase: "p") }
    }
}
