import Models

/// Data version 2 → 3: each whole DesiredLRP (`desired/<guid>`) split into its scheduling info
/// (`desired_lrp/schedule/<guid>`) and run info (`desired_lrp/run/<guid>`), as Diego's etcd
/// migration `1442529338 split_desired_lrp` did. Every other record passes unchanged.
///
/// The run info's `created_at` is 0: a data version 2 record carries no creation time and a migration
/// reads no clock (so re-running it gives the same records). Up is idempotent: a group that is
/// already split passes through. Down merges the two halves back into `desired/<guid>`
/// (`DesiredLRP(schedulingInfo:runInfo:)`, lossless for every field of the whole DesiredLRP); a group
/// with only one half is a corrupt store and fails the migration with the guid named.
public struct SplitDesiredLRPMigration: Migration {
    /// Produces data version 3 from 2.
    public let version = 3
    /// The name operators see in logs.
    public let name = "split desired LRP"

    /// The shipped migration (stateless).
    public init() {}

    /// The group in data version 3.
    public func up(_ group: [Record], context: MigrationContext) throws -> [Record] {
        var output: [Record] = []
        for record in group {
            guard case .desiredLRP(let guid) = RecordKind(relativeKey: record.key) else {
                output.append(record)
                continue
            }
            let whole = try RecordTranscoder.decode(Diego_Bbs_DesiredLRP.self, record, codec: context.codec)
            let (schedulingInfo, runInfo) = whole.split(createdAt: 0)
            output.append(
                Record(key: RecordKeys.desiredLRPSchedulingInfo(guid), value: try context.codec.encode(schedulingInfo)))
            output.append(Record(key: RecordKeys.desiredLRPRunInfo(guid), value: try context.codec.encode(runInfo)))
        }
        return output.sorted { $0.key < $1.key }
    }

    /// The group back in data version 2.
    public func down(_ group: [Record], context: MigrationContext) throws -> [Record] {
        var output: [Record] = []
        var schedulingInfos: [String: Record] = [:]
        var runInfos: [String: Record] = [:]
        for record in group {
            switch RecordKind(relativeKey: record.key) {
            case .schedulingInfo(let guid): schedulingInfos[guid] = record
            case .runInfo(let guid): runInfos[guid] = record
            default: output.append(record)
            }
        }
        for guid in Set(schedulingInfos.keys).union(runInfos.keys).sorted() {
            guard let scheduling = schedulingInfos[guid], let run = runInfos[guid] else {
                let missing = schedulingInfos[guid] == nil ? "scheduling info" : "run info"
                throw MigrationError(
                    "desired LRP \(guid) has no \(missing), so it cannot be merged back into one record")
            }
            let merged = Diego_Bbs_DesiredLRP(
                schedulingInfo: try RecordTranscoder.decode(
                    Diego_Bbs_DesiredLRPSchedulingInfo.self, scheduling, codec: context.codec),
                runInfo: try RecordTranscoder.decode(Diego_Bbs_DesiredLRPRunInfo.self, run, codec: context.codec))
            output.append(Record(key: RecordKeys.desiredLRP(guid), value: try context.codec.encode(merged)))
        }
        return output.sorted { $0.key < $1.key }
    }
}
