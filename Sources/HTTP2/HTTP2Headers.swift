/// An ordered list of HTTP/2 header fields (pseudo-headers first), as nghttp2 delivers and sends them.
///
/// Exists so that the layers above (gRPC) never see nghttp2's `nghttp2_nv` arrays. Names are
/// lower-case ASCII as HTTP/2 requires; values are raw bytes interpreted as UTF-8/Latin-1 strings.
public struct HTTP2Headers: Sendable, Equatable, Sequence, ExpressibleByDictionaryLiteral {
    public typealias Element = (name: String, value: String)

    public private(set) var fields: [(name: String, value: String)]

    public init() { self.fields = [] }

    public init(_ fields: [(name: String, value: String)]) { self.fields = fields }

    public init(dictionaryLiteral elements: (String, String)...) {
        self.fields = elements.map { (name: $0.0, value: $0.1) }
    }

    public mutating func add(name: String, value: String) { fields.append((name: name, value: value)) }

    /// The first value for `name`, or nil.
    public subscript(_ name: String) -> String? { fields.first(where: { $0.name == name })?.value }

    /// Every value for `name`, in order.
    public func values(for name: String) -> [String] { fields.filter { $0.name == name }.map(\.value) }

    public var count: Int { fields.count }

    public func makeIterator() -> IndexingIterator<[(name: String, value: String)]> { fields.makeIterator() }

    public static func == (lhs: HTTP2Headers, rhs: HTTP2Headers) -> Bool {
        lhs.fields.count == rhs.fields.count
            && zip(lhs.fields, rhs.fields).allSatisfy { $0.name == $1.name && $0.value == $1.value }
    }
}
