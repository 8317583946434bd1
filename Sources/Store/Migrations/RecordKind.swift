import Models
import SwiftProtobuf

/// What a record under a data-version root holds, told by its key relative to the root.
///
/// Exists so the shipped migrations decode each record as the right model without repeating the
/// key layout; keys follow `RecordKeys`.
enum RecordKind: Equatable {
    case desiredLRP(guid: String)
    case schedulingInfo(guid: String)
    case runInfo(guid: String)
    case actualLRP
    case task
    case domain(name: String)
    case cell
    /// A key the shipped migrations do not know; carried over unchanged.
    case other

    init(relativeKey key: String) {
        if key.hasPrefix(RecordKeys.desiredPrefix) {
            self = .desiredLRP(guid: String(key.dropFirst(RecordKeys.desiredPrefix.count)))
        } else if key.hasPrefix(RecordKeys.schedulingInfoPrefix) {
            self = .schedulingInfo(guid: String(key.dropFirst(RecordKeys.schedulingInfoPrefix.count)))
        } else if key.hasPrefix(RecordKeys.runInfoPrefix) {
            self = .runInfo(guid: String(key.dropFirst(RecordKeys.runInfoPrefix.count)))
        } else if key.hasPrefix(RecordKeys.actualPrefix) {
            self = .actualLRP
        } else if key.hasPrefix(RecordKeys.taskPrefix) {
            self = .task
        } else if key.hasPrefix(RecordKeys.domainPrefix) {
            self = .domain(name: String(key.dropFirst(RecordKeys.domainPrefix.count)))
        } else if key.hasPrefix(RecordKeys.cellPrefix) {
            self = .cell
        } else {
            self = .other
        }
    }
}

/// Re-encodings of one record between legacy JSON (data version 1) and the codec's current envelope,
/// shared by the 1→2 migration's up and down.
enum RecordTranscoder {
    /// The record in the codec's current envelope, whatever form it was stored in.
    static func toCurrent(_ record: Record, codec: RecordCodec) throws -> Record {
        switch RecordKind(relativeKey: record.key) {
        case .desiredLRP: return try reencode(record, Diego_Bbs_DesiredLRP.self, codec: codec)
        case .schedulingInfo: return try reencode(record, Diego_Bbs_DesiredLRPSchedulingInfo.self, codec: codec)
        case .runInfo: return try reencode(record, Diego_Bbs_DesiredLRPRunInfo.self, codec: codec)
        case .actualLRP: return try reencode(record, Diego_Bbs_ActualLRP.self, codec: codec)
        case .task: return try reencode(record, Diego_Bbs_Task.self, codec: codec)
        case .cell: return try reencode(record, Diego_Bbs_CellPresence.self, codec: codec)
        case .domain(let name):
            let domain =
                record.value.isEmpty
                ? try LegacyJSON.decodeDomain(name: name, from: [], key: record.key)
                : try decode(Diego_Bbs_Domain.self, record, codec: codec)
            return Record(key: record.key, value: try codec.encode(domain))
        case .other: return record
        }
    }

    /// The record as data version 1 stored it: legacy JSON, no prefix.
    static func toLegacy(_ record: Record, codec: RecordCodec) throws -> Record {
        switch RecordKind(relativeKey: record.key) {
        case .desiredLRP: return try legacy(record, Diego_Bbs_DesiredLRP.self, codec: codec)
        case .schedulingInfo: return try legacy(record, Diego_Bbs_DesiredLRPSchedulingInfo.self, codec: codec)
        case .runInfo: return try legacy(record, Diego_Bbs_DesiredLRPRunInfo.self, codec: codec)
        case .actualLRP: return try legacy(record, Diego_Bbs_ActualLRP.self, codec: codec)
        case .task: return try legacy(record, Diego_Bbs_Task.self, codec: codec)
        case .cell: return try legacy(record, Diego_Bbs_CellPresence.self, codec: codec)
        case .domain(let name):
            if record.value.isEmpty {
                return Record(key: record.key, value: try LegacyJSON.encode(LegacyJSON.neverExpiring(name)))
            }
            return try legacy(record, Diego_Bbs_Domain.self, codec: codec)
        case .other: return record
        }
    }

    static func decode<M: Message>(_ type: M.Type, _ record: Record, codec: RecordCodec) throws -> M {
        do {
            if try RecordCodec.encoding(of: record.value) == .legacyUnencoded {
                return try LegacyJSON.decode(M.self, from: record.value, key: record.key)
            }
            return try codec.decode(M.self, from: record.value)
        } catch {
            throw MigrationError("record \(record.key) cannot be read as \(M.protoMessageName): \(error)")
        }
    }

    private static func reencode<M: Message>(_ record: Record, _ type: M.Type, codec: RecordCodec) throws -> Record {
        Record(key: record.key, value: try codec.encode(try decode(M.self, record, codec: codec)))
    }

    private static func legacy<M: Message>(_ record: Record, _ type: M.Type, codec: RecordCodec) throws -> Record {
        Record(key: record.key, value: try LegacyJSON.encode(try decode(M.self, record, codec: codec)))
    }
}
