/// Everything that can go wrong sealing or opening a record, with a message an operator can act on.
public struct EncryptionError: Error, Sendable, Equatable, CustomStringConvertible {
    public var message: String

    public init(_ message: String) {
        self.message = message
    }

    public var description: String { message }

    static func openSSL(_ call: String) -> EncryptionError {
        EncryptionError("OpenSSL \(call) failed")
    }
}
