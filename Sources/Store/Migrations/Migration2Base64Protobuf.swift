/// Data version 1 → 2: every record from Diego's legacy JSON (unprefixed) to the base64 protobuf
/// envelope (`"01"`, or `"02"` when the codec has encryption keys), as Diego's etcd migration
/// `1441411196 base64_protobuf_encode` did, for desired LRPs, actual LRPs, tasks, domains and cells.
///
/// Up reads any stored form (so running it over already-migrated records changes nothing but the
/// envelope) and writes the codec's current one; keys do not change. Down writes the records back as
/// data version 1 wrote them (`LegacyJSON`). A v1 domain stored the Diego way, as an empty value, comes
/// back down as the JSON of a never-expiring domain. Keys no shipped migration knows pass unchanged.
public struct Base64ProtobufMigration: Migration {
    /// Produces data version 2 from 1.
    public let version = 2
    /// The name operators see in logs.
    public let name = "base64 protobuf"

    /// The shipped migration (stateless).
    public init() {}

    /// The group in data version 2.
    public func up(_ group: [Record], context: MigrationContext) throws -> [Record] {
        try group.map { try RecordTranscoder.toCurrent($0, codec: context.codec) }
    }

    /// The group back in data version 1.
    public func down(_ group: [Record], context: MigrationContext) throws -> [Record] {
        try group.map { try RecordTranscoder.toLegacy($0, codec: context.codec) }
    }
}
