/// Why a model was refused: a record that breaks Diego's validation rules, or a state change the
/// model's state machine does not allow.
///
/// Exists so Store and Services map model failures onto Diego's error types (InvalidRecord,
/// InvalidStateTransition) without string matching; `message` says what was wrong.
public struct ModelError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Which Diego error type this failure is.
    public enum Kind: Sendable, Equatable {
        /// A record or request with invalid fields (Diego's InvalidRecord / ValidationError).
        case invalidRecord
        /// A transition the state machine refuses (Diego's InvalidStateTransition).
        case invalidStateTransition
    }

    /// The Diego error type this failure maps to.
    public var kind: Kind
    /// What was wrong, for the client (becomes the gRPC status message).
    public var message: String
    /// The offending field names, in the order they were found (empty for transitions).
    public var fields: [String]

    /// A failure of `kind` with `message`, naming the offending `fields` if any.
    public init(_ kind: Kind, _ message: String, fields: [String] = []) {
        self.kind = kind
        self.message = message
        self.fields = fields
    }

    /// A record with one or more invalid fields, each with the reason it is invalid.
    public static func invalidFields(_ problems: [(field: String, reason: String)]) -> ModelError {
        let text = problems.map { "\($0.field): \($0.reason)" }.joined(separator: "; ")
        return ModelError(.invalidRecord, "Invalid field(s): \(text)", fields: problems.map(\.field))
    }

    /// A state change that the model's state machine refuses.
    public static func invalidTransition(from: String, to: String) -> ModelError {
        ModelError(.invalidStateTransition, "Cannot transition from \(from) to \(to)")
    }

    /// The message.
    public var description: String { message }
}
