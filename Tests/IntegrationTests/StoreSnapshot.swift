import Foundation
import Models
import Store
import SwiftProtobuf

/// The records of one data-version root, read straight from a store, and how to compare them by content.
///
/// Exists because the same content has different bytes in different versions (legacy JSON, base64
/// protobuf, map order): records are compared as decoded models, chosen by the key's kind.
struct StoreSnapshot: Equatable {
    var records: [String: [UInt8]]

    static func read(_ backend: any Backend, version: Int) async throws -> StoreSnapshot {
        let layout = KeyLayout(version: version)
        var records: [String: [UInt8]] = [:]
        var startAfter: String?
        while true {
            let page = try await backend.range(prefix: layout.root, startAfter: startAfter, limit: 1000)
            for item in page.items {
                guard let key = layout.relative(item.key) else { continue }
                if records[key] != nil { throw IntegrationError("key \(item.key) read twice") }
                records[key] = item.value
            }
            guard page.more, let last = page.items.last else { break }
            startAfter = last.key
        }
        return StoreSnapshot(records: records)
    }

    /// The decoded model of a record, chosen by its key.
    static func model(_ key: String, _ value: [UInt8], codec: RecordCodec) throws -> any SwiftProtobuf.Message {
        if key.hasPrefix(RecordKeys.desiredPrefix) { return try codec.decode(Diego_Bbs_DesiredLRP.self, from: value) }
        if key.hasPrefix(RecordKeys.schedulingInfoPrefix) {
            return try codec.decode(Diego_Bbs_DesiredLRPSchedulingInfo.self, from: value)
        }
        if key.hasPrefix(RecordKeys.runInfoPrefix) { return try codec.decode(Diego_Bbs_DesiredLRPRunInfo.self, from: value) }
        if key.hasPrefix(RecordKeys.actualPrefix) { return try codec.decode(Diego_Bbs_ActualLRP.self, from: value) }
        if key.hasPrefix(RecordKeys.taskPrefix) { return try codec.decode(Diego_Bbs_Task.self, from: value) }
        if key.hasPrefix(RecordKeys.domainPrefix) { return try codec.decode(Diego_Bbs_Domain.self, from: value) }
        if key.hasPrefix(RecordKeys.cellPrefix) { return try codec.decode(Diego_Bbs_CellPresence.self, from: value) }
        throw IntegrationError("unknown record kind \(key)")
    }

    /// Keys whose content differs from `expected` (missing, extra or unequal models); empty when equal.
    func differences(from expected: StoreSnapshot, codec: RecordCodec) throws -> [String] {
        var different: [String] = []
        for key in Set(records.keys).symmetricDifference(expected.records.keys) { different.append(key) }
        for (key, value) in records {
            guard let other = expected.records[key] else { continue }
            if value == other { continue }
            let a = try Self.model(key, value, codec: codec)
            let b = try Self.model(key, other, codec: codec)
            if !a.isEqualTo(message: b) { different.append(key) }
        }
        return different.sorted()
    }

    /// Whether every record is in the newest envelope (`"01"` base64 with the PROTO header).
    func allInNewestFormat(codec: RecordCodec) throws -> Bool {
        for value in records.values {
            guard try RecordCodec.encoding(of: value) == codec.writeEncoding else { return false }
            guard RecordCodec.format(of: try codec.unwrap(value)) == .proto else { return false }
        }
        return true
    }

    /// What the shipped migrations make of these data version 1 records, computed in memory.
    func migrated(from: Int, to: Int, codec: RecordCodec) throws -> StoreSnapshot {
        let migrator = Migrator.shipped()
        let context = MigrationContext(codec: codec)
        var result: [String: [UInt8]] = [:]
        for (key, value) in records {
            for record in try migrator.transform([Record(key: key, value: value)], from: from, to: to, context: context) {
                result[record.key] = record.value
            }
        }
        return StoreSnapshot(records: result)
    }
}
