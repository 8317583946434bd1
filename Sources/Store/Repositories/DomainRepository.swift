import Foundation
import Models

/// The domains of the current data version: upsert with a TTL, list the fresh ones.
///
/// Exists so the domain service states Diego's rules (a domain is fresh until its expire time; 0 never
/// expires) without knowing keys or the record envelope.
public struct DomainRepository: Sendable {
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

    /// Writes `name` fresh for `ttl` (nil: never expires).
    public func upsert(_ name: String, ttl: Duration?) async throws {
        var domain = Diego_Bbs_Domain()
        domain.domain = name
        domain.expireTime = ttl.map { UnixNanoseconds.of(now()) + UnixNanoseconds.of($0) } ?? 0
        try await backend.put(layout.domain(name), try codec.encode(domain), condition: .none)
    }

    /// The fresh domains, in key order, a page at a time (pageSize 0: all).
    public func listFresh(after: String?, pageSize: Int) async throws -> RecordPage<String> {
        let nowNanos = UnixNanoseconds.of(now())
        return try await RecordPager(backend: backend).page(
            prefix: layout.domains, after: after.map(layout.domain), pageSize: pageSize
        ) { kv in
            let domain = try codec.decode(Diego_Bbs_Domain.self, from: kv.value)
            return domain.expireTime == 0 || domain.expireTime > nowNanos ? domain.domain : nil
        }.relative(to: layout.domains)
    }
}

/// Unix time in nanoseconds, as Diego stores expiry times.
public enum UnixNanoseconds {
    public static func of(_ date: Date) -> Int64 { Int64((date.timeIntervalSince1970 * 1e9).rounded()) }
    public static func of(_ duration: Duration) -> Int64 {
        duration.components.seconds * 1_000_000_000 + duration.components.attoseconds / 1_000_000_000
    }
}

extension RecordPage {
    /// The page with `continueAfter` relative to `prefix` (what a page token carries).
    func relative(to prefix: String) -> RecordPage {
        RecordPage(items: items, continueAfter: continueAfter.map { String($0.dropFirst(prefix.count)) })
    }
}
