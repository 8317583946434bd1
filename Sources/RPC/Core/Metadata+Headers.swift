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
    /// key is reserved by the transport are skipped, so handlers cannot corrupt the response.
    public func appendHeaders(to headers: inout HTTP2Headers) {
        for (key, value) in self where !GRPCHeaderName.isReserved(key) {
            switch value {
            case .string(let text):
                headers.add(name: key, value: text)
            case .binary(let bytes):
                headers.add(name: key, value: Base64.encode(bytes))
            }
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
