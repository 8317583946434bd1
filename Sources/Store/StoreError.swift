/// Everything that can go wrong in the store, with a message an operator can act on.
public struct StoreError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Kind: Sendable, Equatable {
        /// A conditional write's condition did not hold.
        case conditionFailed
        /// A key or record is absent.
        case notFound
        /// A stored record could not be decoded (envelope, decryption or protobuf).
        case corruptRecord
        /// The engine failed (I/O, SQLite error, etcd unreachable on every endpoint).
        case backendFailure
        /// The caller passed something invalid (an empty key, a bad store URL).
        case invalidArgument
        /// The backend was closed.
        case closed
        /// A write of the master was refused because this process no longer holds the master lock
        /// (its fence no longer matches): another bbs was elected meanwhile.
        case lockLost
    }

    public var kind: Kind
    public var message: String

    public init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }

    public static func conditionFailed(_ message: String) -> StoreError { StoreError(.conditionFailed, message) }
    public static func notFound(_ message: String) -> StoreError { StoreError(.notFound, message) }
    public static func corruptRecord(_ message: String) -> StoreError { StoreError(.corruptRecord, message) }
    public static func backendFailure(_ message: String) -> StoreError { StoreError(.backendFailure, message) }
    public static func invalidArgument(_ message: String) -> StoreError { StoreError(.invalidArgument, message) }
    public static func closed(_ message: String) -> StoreError { StoreError(.closed, message) }
    public static func lockLost(_ message: String) -> StoreError { StoreError(.lockLost, message) }

    public var description: String { message }
}
