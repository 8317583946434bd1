import Models
import Store

/// Writes records the way data version 1 did: legacy JSON (`LegacyJSON`), unprefixed, under `/v1/`,
/// with the version record `{1, 1}`.
///
/// Exists for everything that has to start from a Diego-era store: the migration tests, the kill loop
/// and the migration benchmark. A fixture, so it lives in `TestSupport`, not in the shipped `Store`
/// (whose migrations need only `LegacyJSON`). Writes are batched into transactions of `batchSize` puts.
public struct LegacyRecords: Sendable {
    /// The data version these records belong to.
    public static let dataVersion = 1
    /// Where data version 1 keeps its records.
    public static let layout = KeyLayout(version: dataVersion)

    /// Where the records go.
    public let backend: any Backend
    /// How many puts go into one transaction.
    public var batchSize = 500

    /// A writer into `backend`.
    public init(backend: any Backend) {
        self.backend = backend
    }

    // MARK: - One record

    /// The absolute key and legacy JSON of a whole desired LRP (`/v1/desired/<guid>`).
    public static func record(_ lrp: Diego_Bbs_DesiredLRP) throws -> (key: String, value: [UInt8]) {
        (layout.desiredLRP(lrp.processGuid), try LegacyJSON.encode(lrp))
    }

    /// `/v1/actual/<guid>/<index>/instance`, or `.../evacuating` for an EVACUATING instance.
    public static func record(_ lrp: Diego_Bbs_ActualLRP) throws -> (key: String, value: [UInt8]) {
        let key = layout.actualLRP(
            lrp.actualLrpKey.processGuid, index: lrp.actualLrpKey.index, evacuating: lrp.presence == .evacuating)
        return (key, try LegacyJSON.encode(lrp))
    }

    /// `/v1/task/<guid>`.
    public static func record(_ task: Diego_Bbs_Task) throws -> (key: String, value: [UInt8]) {
        (layout.task(task.taskGuid), try LegacyJSON.encode(task))
    }

    /// `/v1/domain/<name>` (see `LegacyJSON` for why a v1 domain is JSON here).
    public static func record(_ domain: Diego_Bbs_Domain) throws -> (key: String, value: [UInt8]) {
        (layout.domain(domain.domain), try LegacyJSON.encode(domain))
    }

    /// `/v1/cell/<id>`.
    public static func record(_ cell: Diego_Bbs_CellPresence) throws -> (key: String, value: [UInt8]) {
        (layout.cell(cell.cellID), try LegacyJSON.encode(cell))
    }

    // MARK: - Writing

    /// Writes the records in batches; does not touch the version record.
    public func write(_ records: [(key: String, value: [UInt8])]) async throws {
        var start = records.startIndex
        while start < records.endIndex {
            let end = min(start + max(batchSize, 1), records.endIndex)
            let operations = records[start..<end].map { Transaction.Operation.put($0.key, $0.value) }
            let result = try await backend.commit(Transaction(operations: operations))
            guard result.succeeded else {
                throw StoreError.backendFailure("writing \(operations.count) legacy records was refused")
            }
            start = end
        }
    }

    /// Writes the version record `{1, 1}`, as a store of data version 1 has.
    public func writeVersion() async throws {
        try await backend.writeDataVersion(DataVersion(current: Self.dataVersion, target: Self.dataVersion))
    }

    /// Writes a whole data version 1 store: the records, then `{1, 1}`.
    public func fill(
        desiredLRPs: [Diego_Bbs_DesiredLRP] = [], actualLRPs: [Diego_Bbs_ActualLRP] = [],
        tasks: [Diego_Bbs_Task] = [], domains: [Diego_Bbs_Domain] = [], cells: [Diego_Bbs_CellPresence] = []
    ) async throws {
        var records: [(key: String, value: [UInt8])] = []
        records.reserveCapacity(desiredLRPs.count + actualLRPs.count + tasks.count + domains.count + cells.count)
        for lrp in desiredLRPs { records.append(try Self.record(lrp)) }
        for lrp in actualLRPs { records.append(try Self.record(lrp)) }
        for task in tasks { records.append(try Self.record(task)) }
        for domain in domains { records.append(try Self.record(domain)) }
        for cell in cells { records.append(try Self.record(cell)) }
        try await write(records)
        try await writeVersion()
    }
}
