import Foundation
import Models
import SwiftProtobuf

/// The JSON that data version 1 stored, unprefixed (Diego's LEGACY_UNENCODED records).
///
/// Format: protobuf JSON of the `diego.bbs` message with the ORIGINAL proto field names
/// (`process_guid`, `actual_lrp_key`, `PlacementTags`), int64 values as JSON numbers and enums as
/// numbers (as Go's encoding/json wrote Diego's int64 and enum fields), map keys sorted, no
/// defaults. This is not byte-for-byte Go's `json.Marshal` of Diego's gogo structs: Diego's JSON
/// flattened embedded messages (`actual_lrp_key` fields at top level) and named actions by short
/// keys (`"run"`, `"download"`); bbs writes the nesting of the .proto. The field names are Diego's
/// proto names, which are also its snake_case json tags for most fields. Reading accepts both: a
/// record in Diego's Go shape (`DiegoJSONShape`) decodes to the same message.
///
/// Domains: Diego's etcd v1 domain record was an empty value at `/v1/domain/<name>` with an etcd
/// TTL. bbs backends have no TTLs, so a v1 domain record here is the legacy JSON of `Domain`
/// (`{"domain":"cf-apps","expire_time":…}`, expire_time in unix ns, 0 = never). An empty value
/// (Diego's shape) is still read, as a domain that never expires.
public enum LegacyJSON {
    static var encodingOptions: JSONEncodingOptions {
        var options = JSONEncodingOptions()
        options.preserveProtoFieldNames = true
        options.alwaysPrintInt64sAsNumbers = true
        options.alwaysPrintEnumsAsInts = true
        options.useDeterministicOrdering = true
        return options
    }

    static var decodingOptions: JSONDecodingOptions {
        var options = JSONDecodingOptions()
        options.ignoreUnknownFields = true
        return options
    }

    /// The legacy JSON bytes of `message`.
    public static func encode<M: SwiftProtobuf.Message>(_ message: M) throws -> [UInt8] {
        do {
            return try message.jsonUTF8Bytes(options: encodingOptions)
        } catch {
            throw StoreError.corruptRecord("cannot encode \(M.protoMessageName) as legacy JSON: \(error)")
        }
    }

    /// Decodes legacy JSON bytes, in bbs's shape or in the shape Diego's Go code wrote (`DiegoJSON`);
    /// `key` names the record in the error.
    public static func decode<M: SwiftProtobuf.Message>(_ type: M.Type, from bytes: [UInt8], key: String) throws -> M {
        // bbs's own shape decodes strictly; anything unknown means Diego's shape (or a corrupt record).
        if let message = try? M(jsonUTF8Bytes: bytes) { return message }
        do {
            guard let shape = DiegoJSON.shape(of: M.protoMessageName) else {
                return try M(jsonUTF8Bytes: bytes, options: decodingOptions)
            }
            return try M(
                jsonUTF8Bytes: try DiegoJSON.protoJSON(fromDiego: bytes, shape: shape), options: decodingOptions)
        } catch {
            throw StoreError.corruptRecord("record \(key) is not legacy JSON of \(M.protoMessageName): \(error)")
        }
    }

    /// Decodes a v1 domain record, accepting Diego's empty value as a domain that never expires.
    public static func decodeDomain(name: String, from bytes: [UInt8], key: String) throws -> Diego_Bbs_Domain {
        bytes.isEmpty ? neverExpiring(name) : try decode(Diego_Bbs_Domain.self, from: bytes, key: key)
    }

    /// The domain record of `name` without an expiry.
    static func neverExpiring(_ name: String) -> Diego_Bbs_Domain {
        var domain = Diego_Bbs_Domain()
        domain.domain = name
        return domain
    }
}
