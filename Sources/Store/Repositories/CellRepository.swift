import Foundation
import Models

/// The cells' presences of the current data version: a heartbeat writes one with an expiry, lists show
/// the live ones.
///
/// Exists so the cell service states the rule (a cell is live until its heartbeat expires) without
/// knowing keys or the record envelope.
public struct CellRepository: Sendable {
    private let backend: any Backend
    private let codec: RecordCodec
    private let layout: KeyLayout
    private let now: @Sendable () -> Date

    public init(
        backend: any Backend, codec: RecordCodec, layout: KeyLayout = KeyLayout(version: BBSDataVersion),
        now: @escaping @Sendable () -> Date = { Date() }
    ) {
        self.backend = backend
        self.codec = codec
        self.layout = layout
        self.now = now
    }

    /// Stores `presence`, live for `ttl` from now.
    public func heartbeat(_ presence: Diego_Bbs_CellPresence, ttl: Duration) async throws {
        var presence = presence
        presence.expireTime = UnixNanoseconds.of(now()) + UnixNanoseconds.of(ttl)
        try await backend.put(layout.cell(presence.cellID), try codec.encode(presence), condition: .none)
    }

    /// The live cells in key (cell id) order, a page at a time (pageSize 0: all).
    public func listLive(after: String?, pageSize: Int) async throws -> RecordPage<Diego_Bbs_CellPresence> {
        let nowNanos = UnixNanoseconds.of(now())
        return try await RecordPager(backend: backend).page(
            prefix: layout.cells, after: after.map(layout.cell), pageSize: pageSize
        ) { kv in
            let presence = try codec.decode(Diego_Bbs_CellPresence.self, from: kv.value)
            return presence.expireTime == 0 || presence.expireTime > nowNanos ? presence : nil
        }.relative(to: layout.cells)
    }
}
