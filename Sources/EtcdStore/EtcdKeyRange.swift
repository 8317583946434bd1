/// A half-open etcd key interval `[key, rangeEnd)` in etcd's byte encoding.
///
/// Exists because etcd has no "prefix" or "after" query: every prefix read, count and delete is an
/// interval whose end is the prefix with its last byte incremented, and paging continues from the
/// smallest key after the last one seen (that key plus a zero byte). Getting this arithmetic
/// wrong silently drops or repeats keys, so it lives here, apart from I/O, with its own tests.
struct EtcdKeyRange: Equatable, Sendable {
    /// The first key of the interval.
    var key: [UInt8]
    /// The first key past the interval; `[0]` means "no upper bound", empty means "only `key`".
    var rangeEnd: [UInt8]

    /// Every key that starts with `prefix` (every key, when `prefix` is empty).
    static func prefix(_ prefix: String) -> EtcdKeyRange {
        let bytes = Array(prefix.utf8)
        if bytes.isEmpty { return EtcdKeyRange(key: [0], rangeEnd: [0]) }
        return EtcdKeyRange(key: bytes, rangeEnd: prefixEnd(bytes))
    }

    /// The keys under `prefix` strictly after `startAfter` (all of them when it is nil or sorts
    /// before the prefix). The result may be empty (`key >= rangeEnd`); `isEmpty` says so.
    static func prefix(_ prefix: String, startAfter: String?) -> EtcdKeyRange {
        var range = Self.prefix(prefix)
        guard let startAfter else { return range }
        // The smallest key greater than `startAfter` is `startAfter` followed by a zero byte.
        let next = Array(startAfter.utf8) + [0]
        if next.lexicographicallyPrecedes(range.key) { return range }
        range.key = next
        return range
    }

    /// Whether the interval holds no key at all (its start is at or past its end).
    var isEmpty: Bool {
        if rangeEnd == [0] { return false }  // unbounded above
        if rangeEnd.isEmpty { return false }  // the single key `key`
        return !key.lexicographicallyPrecedes(rangeEnd)
    }

    /// etcd's `GetPrefixRangeEnd`: the prefix with trailing 0xff bytes dropped and the last
    /// remaining byte incremented; `[0]` (no upper bound) when every byte is 0xff.
    static func prefixEnd(_ prefix: [UInt8]) -> [UInt8] {
        var end = prefix
        while let last = end.last {
            if last < 0xff {
                end[end.count - 1] = last + 1
                return end
            }
            end.removeLast()
        }
        return [0]
    }
}
