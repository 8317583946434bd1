import Encryption
import Foundation
import Models
import Store
import SwiftProtobuf
import TestSupport
import Testing

/// Data version 1 records and codecs shared by the migration tests.
enum MigrationFixtures {
    /// The codecs a migration may run with: plain `"01"` and encrypted `"02"`.
    enum Codec: String, CaseIterable, CustomTestStringConvertible, Sendable {
        case base64, encrypted

        var codec: RecordCodec {
            get throws {
                switch self {
                case .base64: return RecordCodec()
                case .encrypted:
                    return RecordCodec(keys: try EncryptionKeySet(activeLabel: "k1", passphrases: ["k1": "secret"]))
                }
            }
        }

        var testDescription: String { rawValue }
    }

    /// A v1 store's worth of records (relative keys, legacy JSON): two desired LRPs with actual LRPs
    /// (one evacuating), tasks, domains and a cell.
    static func legacyRecords() throws -> [Record] {
        var absolute: [(key: String, value: [UInt8])] = []
        for index in 0..<2 {
            let desired = LegacyRecords.sampleDesiredLRP(index)
            absolute.append(try LegacyRecords.record(desired))
            absolute.append(
                try LegacyRecords.record(LegacyRecords.sampleActualLRP(processGuid: desired.processGuid, index: 0)))
            var evacuating = LegacyRecords.sampleActualLRP(processGuid: desired.processGuid, index: 1)
            evacuating.presence = .evacuating
            absolute.append(try LegacyRecords.record(evacuating))
            absolute.append(try LegacyRecords.record(LegacyRecords.sampleTask(index)))
        }
        var domain = Diego_Bbs_Domain()
        domain.domain = "cf-apps"
        domain.expireTime = 1_700_000_000_000_000_000
        absolute.append(try LegacyRecords.record(domain))
        var cell = Diego_Bbs_CellPresence()
        cell.cellID = "cell-1"
        cell.repAddress = "http://10.0.0.1:1800"
        cell.capacity.memoryMb = 16384
        absolute.append(try LegacyRecords.record(cell))
        return absolute.map { Record(key: LegacyRecords.layout.relative($0.key) ?? $0.key, value: $0.value) }
            .sorted { $0.key < $1.key }
    }

    /// Splits records into the groups the migrator hands to migrations.
    static func groups(_ records: [Record]) -> [[Record]] {
        var groups: [[Record]] = []
        var index: [String: Int] = [:]
        for record in records.sorted(by: { $0.key < $1.key }) {
            let id = RecordKeys.groupMembers(of: record.key)[0]
            if let position = index[id] {
                groups[position].append(record)
            } else {
                index[id] = groups.count
                groups.append([record])
            }
        }
        return groups
    }

    /// Runs every group through `step`.
    static func apply(_ records: [Record], _ step: ([Record]) throws -> [Record]) throws -> [Record] {
        try groups(records).flatMap(step).sorted { $0.key < $1.key }
    }

    /// The model a record holds, decoded by its key, as comparable bytes (deterministic protobuf, as hex).
    static func decoded(_ record: Record, codec: RecordCodec) throws -> String {
        let key = record.key
        func text<M: SwiftProtobuf.Message>(_ type: M.Type) throws -> String {
            var options = BinaryEncodingOptions()
            options.useDeterministicOrdering = true
            let bytes: [UInt8] = try codec.decode(M.self, from: record.value).serializedBytes(options: options)
            return M.protoMessageName + ":" + bytes.map { String(format: "%02x", $0) }.joined()
        }
        if key.hasPrefix(RecordKeys.desiredPrefix) { return try text(Diego_Bbs_DesiredLRP.self) }
        if key.hasPrefix(RecordKeys.schedulingInfoPrefix) { return try text(Diego_Bbs_DesiredLRPSchedulingInfo.self) }
        if key.hasPrefix(RecordKeys.runInfoPrefix) { return try text(Diego_Bbs_DesiredLRPRunInfo.self) }
        if key.hasPrefix(RecordKeys.actualPrefix) { return try text(Diego_Bbs_ActualLRP.self) }
        if key.hasPrefix(RecordKeys.taskPrefix) { return try text(Diego_Bbs_Task.self) }
        if key.hasPrefix(RecordKeys.domainPrefix) { return try text(Diego_Bbs_Domain.self) }
        if key.hasPrefix(RecordKeys.cellPrefix) { return try text(Diego_Bbs_CellPresence.self) }
        return String(decoding: record.value, as: UTF8.self)
    }

    /// Every record decoded, keyed by its key: what "the same records" means when envelopes are
    /// randomised (encryption nonces) or map order varies.
    static func contents(_ records: [Record], codec: RecordCodec) throws -> [String: String] {
        Dictionary(uniqueKeysWithValues: try records.map { ($0.key, try decoded($0, codec: codec)) })
    }
}
