/// gRPC custom metadata: ordered key/value pairs, where keys ending in `-bin` carry bytes.
///
/// Exists so handlers and clients read and write request, response and trailing metadata
/// without knowing about HTTP/2 headers or base64 (`-bin` values are encoded on the wire).
public struct Metadata: Sendable, Equatable, Sequence, ExpressibleByDictionaryLiteral {
    public typealias Element = (key: String, value: MetadataValue)
    public typealias Key = String
    public typealias Value = String

    private var elements: [(key: String, value: MetadataValue)]

    public init() { self.elements = [] }

    public init(dictionaryLiteral elements: (String, String)...) {
        self.elements = elements.map { (key: $0.0.lowercased(), value: .string($0.1)) }
    }

    /// Appends a text value. Keys are lower-cased, as HTTP/2 requires.
    public mutating func add(_ key: String, _ value: String) {
        elements.append((key: key.lowercased(), value: .string(value)))
    }

    /// Appends a binary value; `key` must end in `-bin`.
    public mutating func add(_ key: String, bytes: [UInt8]) {
        precondition(key.hasSuffix("-bin"), "binary metadata keys end in -bin")
        elements.append((key: key.lowercased(), value: .binary(bytes)))
    }

    /// Replaces every value for `key` with one text value.
    public mutating func set(_ key: String, _ value: String) {
        remove(key)
        add(key, value)
    }

    public mutating func remove(_ key: String) {
        let key = key.lowercased()
        elements.removeAll { $0.key == key }
    }

    /// The first text value for `key` (or, for `-bin` keys, nil).
    public subscript(_ key: String) -> String? {
        let key = key.lowercased()
        for element in elements where element.key == key {
            if case .string(let value) = element.value { return value }
        }
        return nil
    }

    /// The first binary value for a `-bin` key.
    public func bytes(_ key: String) -> [UInt8]? {
        let key = key.lowercased()
        for element in elements where element.key == key {
            if case .binary(let value) = element.value { return value }
        }
        return nil
    }

    public func values(_ key: String) -> [MetadataValue] {
        let key = key.lowercased()
        return elements.filter { $0.key == key }.map(\.value)
    }

    public var count: Int { elements.count }
    public var isEmpty: Bool { elements.isEmpty }

    public func makeIterator() -> IndexingIterator<[(key: String, value: MetadataValue)]> { elements.makeIterator() }

    public static func == (lhs: Metadata, rhs: Metadata) -> Bool {
        lhs.elements.count == rhs.elements.count
            && zip(lhs.elements, rhs.elements).allSatisfy { $0.key == $1.key && $0.value == $1.value }
    }
}

/// One metadata value: text for ordinary keys, bytes for `-bin` keys.
public enum MetadataValue: Sendable, Hashable {
    case string(String)
    case binary([UInt8])
}
