/// The 2-ASCII-byte prefix of every stored blob (Diego's `format.Encoding`), or its absence.
///
/// Exists because data written by every release must stay readable: Diego wrote unprefixed JSON first,
/// then `"00"`, `"01"` (base64) and today `"02"` (base64 of an encrypted payload).
public enum RecordEncoding: Sendable, Equatable, CaseIterable {
    /// No prefix: raw legacy JSON (detected because the first byte is not an ASCII digit).
    case legacyUnencoded
    /// `"00"`: the payload follows as-is.
    case unencoded
    /// `"01"`: standard base64 (with padding) of the payload.
    case base64
    /// `"02"`: standard base64 of `[label length][label][12-byte nonce][AES-256-GCM ciphertext + tag]`.
    case base64Encrypted

    /// The prefix bytes written before the payload.
    public var prefix: [UInt8] {
        switch self {
        case .legacyUnencoded: []
        case .unencoded: Array("00".utf8)
        case .base64: Array("01".utf8)
        case .base64Encrypted: Array("02".utf8)
        }
    }
}

/// The first byte of a decoded payload of a protobuf model (Diego's `format.EnvelopeFormat`).
///
/// Followed by a version byte that Diego froze at 0 and readers skip.
public enum RecordFormat: UInt8, Sendable, Equatable, CaseIterable {
    /// Legacy JSON, without the 2-byte header.
    case legacyJSON = 0
    /// JSON after the 2-byte header.
    case json = 1
    /// Protobuf after the 2-byte header.
    case proto = 2
}
