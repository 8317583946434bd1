/// ALPN protocol lists in their wire format (each name prefixed by its one-byte length).
///
/// Exists so encoding our list and choosing from the peer's list are plain, tested functions
/// rather than pointer arithmetic inside an OpenSSL callback.
enum ALPN {
    /// `["h2", "http/1.1"]` -> `\x02h2\x08http/1.1`.
    static func wireFormat(_ protocols: [String]) throws -> [UInt8] {
        var wire: [UInt8] = []
        for name in protocols {
            let bytes = Array(name.utf8)
            guard !bytes.isEmpty, bytes.count <= 255 else {
                throw TLSError.configuration("invalid ALPN protocol name '\(name)' (must be 1...255 bytes)")
            }
            wire.append(UInt8(bytes.count))
            wire.append(contentsOf: bytes)
        }
        return wire
    }

    /// The names in a wire-format list; nil if the list is malformed.
    static func names(in wire: UnsafeBufferPointer<UInt8>) -> [(offset: Int, length: Int)]? {
        var result: [(offset: Int, length: Int)] = []
        var index = 0
        while index < wire.count {
            let length = Int(wire[index])
            guard length > 0, index + 1 + length <= wire.count else { return nil }
            result.append((index + 1, length))
            index += 1 + length
        }
        return result
    }

    /// The first of `preferred` that appears in `offered` (a wire-format list): its position there.
    static func select(_ preferred: [String], from offered: UnsafeBufferPointer<UInt8>) -> (offset: Int, length: Int)? {
        guard let entries = names(in: offered) else { return nil }
        for name in preferred {
            let bytes = Array(name.utf8)
            if let hit = entries.first(where: { $0.length == bytes.count && offered[$0.offset..<$0.offset + $0.length].elementsEqual(bytes) }) {
                return hit
            }
        }
        return nil
    }
}
