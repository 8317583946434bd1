import Models
import RPC
import Store

/// `diego.bbs.CellService`: cells (reps) heartbeat their presence with a TTL; lists show live cells.
///
/// Diego kept presences in Locket with a TTL of 15 s refreshed every 5 s; here the heartbeat is a call
/// to the master and the presence is a record with an expiry.
public struct CellService: Sendable {
    static let listName = "cells"
    /// The longest heartbeat TTL accepted.
    public static let maximumTTLSeconds: UInt32 = 24 * 60 * 60
    private let cells: CellRepository

    public init(cells: CellRepository) {
        self.cells = cells
    }

    public func heartbeatCell(_ request: Diego_Bbs_HeartbeatCellRequest) async throws -> Diego_Bbs_HeartbeatCellResponse {
        guard request.hasCellPresence else { throw BBSError.invalidRequest(field: "cell_presence", "must be set") }
        if request.ttlSeconds == 0 { throw BBSError.invalidRequest(field: "ttl_seconds", "must be at least 1") }
        if request.ttlSeconds > Self.maximumTTLSeconds {
            throw BBSError.invalidRequest(field: "ttl_seconds", "must be at most \(Self.maximumTTLSeconds)")
        }
        try request.cellPresence.validate()
        try await cells.heartbeat(request.cellPresence, ttl: .seconds(request.ttlSeconds))
        return Diego_Bbs_HeartbeatCellResponse()
    }

    public func listCells(_ request: Diego_Bbs_ListCellsRequest) async throws -> Diego_Bbs_ListCellsResponse {
        try RequestValidation.pageSize(request.pageSize)
        let after = try PageToken.decode(request.pageToken, list: Self.listName)
        let page = try await cells.listLive(after: after, pageSize: Int(request.pageSize))
        var response = Diego_Bbs_ListCellsResponse()
        response.cells = page.items
        response.nextPageToken = PageToken.encode(list: Self.listName, after: page.continueAfter)
        return response
    }
}
