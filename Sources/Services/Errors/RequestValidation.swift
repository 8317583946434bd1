import RPC

/// Checks of request fields shared by the services, each failing with INVALID_ARGUMENT naming the field.
///
/// Exists so that empty and oversized identifiers are refused the same way by every method, before
/// anything is read or written.
public enum RequestValidation {
    /// The longest identifier (domain, cell id, guid) accepted, in UTF-8 bytes.
    public static let maximumIdentifierLength = 1024

    /// A required identifier: non-empty, at most `maximumIdentifierLength` bytes, no control characters.
    public static func identifier(_ value: String, field: String) throws(RPCError) {
        if value.isEmpty { throw BBSError.invalidRequest(field: field, "must not be empty") }
        if value.utf8.count > maximumIdentifierLength {
            throw BBSError.invalidRequest(
                field: field, "is \(value.utf8.count) bytes long; at most \(maximumIdentifierLength) are allowed")
        }
        if value.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) {
            throw BBSError.invalidRequest(field: field, "must not contain control characters")
        }
    }

    /// A page size: 0 (everything) up to `PageToken.maximumPageSize`.
    public static func pageSize(_ value: Int32, field: String = "page_size") throws(RPCError) {
        if value < 0 { throw BBSError.invalidRequest(field: field, "must not be negative, got \(value)") }
        if value > PageToken.maximumPageSize {
            throw BBSError.invalidRequest(field: field, "must be at most \(PageToken.maximumPageSize), got \(value)")
        }
    }
}
