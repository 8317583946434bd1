/// One page of a list of records, in key order, and where the next page starts.
///
/// Exists so every list of the API pages the same way (API.md): `pageSize` 0 answers everything at
/// once; otherwise at most `pageSize` items and, when more may follow, the key to continue after.
public struct RecordPage<Item: Sendable>: Sendable {
    public var items: [Item]
    /// The last key this page examined, when keys remain after it; nil on the last page.
    public var continueAfter: String?

    public init(items: [Item], continueAfter: String?) {
        self.items = items
        self.continueAfter = continueAfter
    }
}

/// Reads records under a prefix in key order, keeping those `decode` returns, until a page is full.
///
/// A record that exists for the whole listing appears exactly once across pages, because each page
/// resumes strictly after the last key the previous one examined (filtered-out keys included).
struct RecordPager {
    let backend: any Backend
    /// How many keys one backend read returns.
    var readSize = 500

    func page<Item: Sendable>(
        prefix: String, after: String?, pageSize: Int, _ decode: (KeyValue) throws -> Item?
    ) async throws -> RecordPage<Item> {
        var items: [Item] = []
        var cursor = after
        while true {
            let wanted = pageSize > 0 ? Swift.min(readSize, pageSize - items.count) : readSize
            let page = try await backend.range(prefix: prefix, startAfter: cursor, limit: wanted)
            for item in page.items {
                if let decoded = try decode(item) { items.append(decoded) }
                cursor = item.key
            }
            if !page.more { return RecordPage(items: items, continueAfter: nil) }
            if pageSize > 0 && items.count >= pageSize { return RecordPage(items: items, continueAfter: cursor) }
        }
    }
}
