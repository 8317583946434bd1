import Encryption
import Foundation
import SwiftProtobuf

/// Reads every record form bbs or Diego ever wrote and writes the current one.
///
/// Exists so no other part of bbs knows the byte layout of diego-bbs.md 4.2:
/// `prefix + payload`, where the payload of a model is `[format][version][bytes]`.
/// Writers use `"02"` (encrypted) when encryption keys are configured, else `"01"`.
public struct RecordCodec: Sendable {
    /// The encoding this codec writes.
    public let writeEncoding: RecordEncoding
    /// The format of model payloads this codec writes (protobuf; JSON only for tests and tools).
    public let writeFormat: RecordFormat
    let cryptor: Cryptor?

    /// A codec that writes `"02"` with `keys` when given, else `"01"`.
    public init(keys: EncryptionKeySet? = nil) {
        self.cryptor = keys.map(Cryptor.init(keys:))
        self.writeEncoding = keys == nil ? .base64 : .base64Encrypted
        self.writeFormat = .proto
    }

    /// A codec that writes a chosen encoding and format (`.base64Encrypted` requires keys).
    public init(writing encoding: RecordEncoding, format: RecordFormat = .proto, keys: EncryptionKeySet? = nil) throws {
        if encoding == .base64Encrypted && keys == nil {
            throw StoreError.invalidArgument("the encrypted record encoding needs encryption keys")
        }
        self.cryptor = keys.map(Cryptor.init(keys:))
        self.writeEncoding = encoding
        self.writeFormat = format
    }

    // MARK: - Models

    /// The stored bytes of `message` in the current encoding and format.
    public func encode<M: Message>(_ message: M) throws -> [UInt8] {
        var payload: [UInt8]
        switch writeFormat {
        case .proto:
            payload = [RecordFormat.proto.rawValue, 0]
            payload.append(contentsOf: try message.serializedBytes() as [UInt8])
        case .json:
            payload = [RecordFormat.json.rawValue, 0]
            payload.append(contentsOf: try message.jsonUTF8Bytes(options: Self.jsonEncoding) as [UInt8])
        case .legacyJSON:
            payload = try message.jsonUTF8Bytes(options: Self.jsonEncoding)
        }
        return try wrap(payload)
    }

    /// Decodes a model from any form: legacy JSON, `"00"`, `"01"`, `"02"`, with or without the 2-byte header.
    public func decode<M: Message>(_ type: M.Type = M.self, from stored: [UInt8]) throws -> M {
        let payload = try unwrap(stored)
        do {
            switch Self.format(of: payload) {
            case .proto:
                return try M(serializedBytes: Array(payload.dropFirst(2)))
            case .json:
                return try M(jsonUTF8Bytes: Array(payload.dropFirst(2)), options: Self.jsonDecoding)
            case .legacyJSON:
                let body = payload.first == RecordFormat.legacyJSON.rawValue ? Array(payload.dropFirst(2)) : payload
                return try M(jsonUTF8Bytes: body, options: Self.jsonDecoding)
            }
        } catch {
            throw StoreError.corruptRecord("cannot decode \(M.protoMessageName): \(error)")
        }
    }

    /// The format of a decoded payload: a header byte 0/1/2, or legacy JSON when the first byte is anything else.
    public static func format(of payload: [UInt8]) -> RecordFormat {
        guard let first = payload.first, first <= 2, payload.count >= 2, let format = RecordFormat(rawValue: first)
        else { return .legacyJSON }
        return format
    }

    // MARK: - Payloads (no model header: routes, JSON blobs)

    /// Applies the write encoding (prefix, base64, encryption) to an already-formatted payload.
    public func wrap(_ payload: [UInt8]) throws -> [UInt8] {
        switch writeEncoding {
        case .legacyUnencoded:
            return payload
        case .unencoded:
            return RecordEncoding.unencoded.prefix + payload
        case .base64:
            return RecordEncoding.base64.prefix + Array(Data(payload).base64EncodedString().utf8)
        case .base64Encrypted:
            guard let cryptor else { throw StoreError.invalidArgument("no encryption keys configured") }
            let sealed: [UInt8]
            do { sealed = try cryptor.seal(payload) } catch { throw StoreError.backendFailure("\(error)") }
            return RecordEncoding.base64Encrypted.prefix + Array(Data(sealed).base64EncodedString().utf8)
        }
    }

    /// Removes the encoding of stored bytes: the payload inside, whatever form it was written in.
    public func unwrap(_ stored: [UInt8]) throws -> [UInt8] {
        let encoding = try Self.encoding(of: stored)
        switch encoding {
        case .legacyUnencoded:
            return stored
        case .unencoded:
            return Array(stored.dropFirst(2))
        case .base64:
            return try Self.base64Decode(stored.dropFirst(2))
        case .base64Encrypted:
            let sealed = try Self.base64Decode(stored.dropFirst(2))
            guard let cryptor else {
                throw StoreError.corruptRecord("record is encrypted but no encryption keys are configured")
            }
            do { return try cryptor.open(sealed) } catch { throw StoreError.corruptRecord("\(error)") }
        }
    }

    /// The encoding of stored bytes; throws on an unknown numeric prefix.
    public static func encoding(of stored: [UInt8]) throws -> RecordEncoding {
        guard stored.count >= 2, let first = stored.first, first >= UInt8(ascii: "0"), first <= UInt8(ascii: "9")
        else { return .legacyUnencoded }
        switch (stored[0], stored[1]) {
        case (UInt8(ascii: "0"), UInt8(ascii: "0")): return .unencoded
        case (UInt8(ascii: "0"), UInt8(ascii: "1")): return .base64
        case (UInt8(ascii: "0"), UInt8(ascii: "2")): return .base64Encrypted
        default:
            throw StoreError.corruptRecord("unknown record encoding prefix '\(String(decoding: stored.prefix(2), as: UTF8.self))'")
        }
    }

    static func base64Decode(_ bytes: ArraySlice<UInt8>) throws -> [UInt8] {
        guard let data = Data(base64Encoded: Data(bytes)) else {
            throw StoreError.corruptRecord("record payload is not valid base64")
        }
        return Array(data)
    }

    static let jsonDecoding: JSONDecodingOptions = {
        var options = JSONDecodingOptions()
        options.ignoreUnknownFields = true
        return options
    }()

    static let jsonEncoding: JSONEncodingOptions = {
        var options = JSONEncodingOptions()
        options.preserveProtoFieldNames = true
        return options
    }()
}
