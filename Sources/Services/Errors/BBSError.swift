import Models
import RPC
import Store

/// The answers of the BBS services for domain errors: a gRPC status (API.md) with the Diego error type
/// in the `bbs-error-type` trailer.
///
/// Exists so every service fails the same way: bad input is INVALID_ARGUMENT naming the field (never
/// INTERNAL), a missing record NOT_FOUND, a refused transition FAILED_PRECONDITION, a lost lock the
/// "not the master" answer.
public enum BBSError {
    /// The trailer that carries the Diego error type.
    public static let errorTypeMetadataKey = "bbs-error-type"

    /// An error with `code`, `message` and the Diego `type`.
    public static func make(_ code: RPCStatus.Code, _ type: BBSErrorType, _ message: String) -> RPCError {
        RPCError(code: code, message: message, metadata: [errorTypeMetadataKey: type.rawValue])
    }

    /// A request field that is missing, too long or out of range: INVALID_ARGUMENT, InvalidRequest.
    public static func invalidRequest(field: String, _ reason: String) -> RPCError {
        make(.invalidArgument, .invalidRequest, "invalid request: \(field): \(reason)")
    }

    /// A record that breaks the model's rules: INVALID_ARGUMENT, InvalidRecord.
    public static func invalidRecord(_ message: String) -> RPCError {
        make(.invalidArgument, .invalidRecord, message)
    }

    /// NOT_FOUND, ResourceNotFound.
    public static func notFound(_ what: String) -> RPCError {
        make(.notFound, .resourceNotFound, "the requested resource could not be found: \(what)")
    }

    /// ALREADY_EXISTS, ResourceExists.
    public static func exists(_ what: String) -> RPCError {
        make(.alreadyExists, .resourceExists, "the resource already exists: \(what)")
    }

    /// ABORTED, ResourceConflict (a modification tag or revision did not match).
    public static func conflict(_ message: String) -> RPCError {
        make(.aborted, .resourceConflict, message)
    }

    /// FAILED_PRECONDITION, InvalidStateTransition.
    public static func invalidTransition(_ message: String) -> RPCError {
        make(.failedPrecondition, .invalidStateTransition, message)
    }

    /// The answer for any error a service body threw: RPC errors as they are, model and store errors
    /// mapped to their status, anything else UNKNOWN with its description (never a crash).
    public static func answer(for error: any Error) -> RPCError {
        switch error {
        case let error as RPCError:
            return error
        case let error as ModelError:
            switch error.kind {
            case .invalidRecord: return invalidRecord(error.message)
            case .invalidStateTransition: return invalidTransition(error.message)
            }
        case let error as StoreError:
            switch error.kind {
            case .notFound: return notFound(error.message)
            case .conditionFailed: return conflict(error.message)
            case .invalidArgument: return make(.invalidArgument, .invalidRequest, error.message)
            case .lockLost:
                return RPCError.unavailable(reason: "this bbs is no longer the master; retry against the master")
            case .corruptRecord: return make(.dataLoss, .deserialize, error.message)
            case .backendFailure, .closed: return RPCError.unavailable(reason: "the store failed: \(error.message)")
            }
        case is CancellationError:
            return RPCError(code: .cancelled, message: "the call was cancelled")
        default:
            return make(.unknown, .unknownError, String(describing: error))
        }
    }
}

extension BBSError {
    /// Runs a service body, answering whatever it throws with `answer(for:)`.
    public static func mapping<Result>(_ body: () async throws -> Result) async throws(RPCError) -> Result {
        do {
            return try await body()
        } catch {
            throw answer(for: error)
        }
    }
}
