import HTTP2

/// Conversion between gRPC metadata and HTTP/2 header fields.
extension Metadata {
    /// The custom metadata in `headers`: reserved and pseudo headers skipped, `-bin` values
    /// base64-decoded (padded or not; comma-separated values are separate entries).
    /// - Throws: `RPCError` INTERNAL naming the key when a `-bin` value is not base64.
    public init(headers: HTTP2Headers) throws(RPCError) {
        self.init()
        for (name, value) in headers where !GRPCHeaderName.isReserved(name) {
            if name.hasSuffix("-bin") {
                for part in value.split(separator: ",", omittingEmptySubsequences: false) {
                    let trimmed = part.trimmingSpaces
                    guard let bytes = Base64.decode(trimmed) else {
                        throw RPCError(code: .internal, message: "metadata \(name) is not valid base64")
                    }
                    add(name, bytes: bytes)
                }
            } else {
                add(name, value)
            }
        }
    }

    /// Appends the metadata as header fields (`-bin` values as unpadded base64). Entries whose
    /// key is reserved by the transport, or whose key or text value the gRPC spec does not allow
    /// (keys `[0-9a-z_.-]`, text values printable ASCII), are skipped, so a handler cannot
    /// corrupt the header block and turn its answer into a reset stream.
    public func appendHeaders(to headers: inout HTTP2Headers) {
        for (key, value) in self where !GRPCHeaderName.isReserved(key) && Self.isValidKey(key) {
            switch value {
            case .string(let text):
                guard text.utf8.allSatisfy({ $0 >= 0x20 && $0 <= 0x7E }) else { continue }
                headers.add(name: key, value: text)
            case .binary(let bytes):
                headers.add(name: key, value: Base64.encode(bytes))
            }
        }
    }
}

extension Metadata {
    /// A gRPC metadata key: non-empty, lower-case letters, digits, `-`, `_` and `.`.
    static func isValidKey(_ key: String) -> Bool {
        !key.isEmpty
            && key.utf8.allSatisfy { byte in
                (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z"))
                    || (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9"))
                    || byte == UInt8(ascii: "-") || byte == UInt8(ascii: "_") || byte == UInt8(ascii: ".")
            }
    }
}

extension Substring {
    fileprivate var trimmingSpaces: Substring {
        var result = self
        while result.first == " " { result = result.dropFirst() }
        while result.last == " " { result = result.dropLast() }
        return result
    }
}
