import RPC
import Services

/// Every way a bbsctl command fails, each with the exit code that names whose fault it was.
///
/// Exists so the exit code is decided from structure (the RPC client's `delivery`, the status code),
/// never from message text, and so each failure prints as one line saying what happened.
struct BBSCtlError: Error, Equatable, CustomStringConvertible {
    /// Whose fault it was; each kind has its own exit code.
    enum Kind: Equatable {
        /// The command line, the environment or the files they name are wrong: 64.
        case usage
        /// No bbs could be reached; nothing was sent: 69.
        case unreachable
        /// A bbs answered, and not with success (a non-OK status, or an answer that breaks the API): 1.
        case refused
        /// The request went out and no answer came back: it may or may not have been applied: 75.
        case outcomeUnknown
    }

    var kind: Kind
    /// What happened, for the one line on stderr.
    var message: String

    var description: String { message }

    /// The process exit code for `kind`.
    var exitCode: Int32 {
        switch kind {
        case .refused: 1
        case .usage: ExitStatus.usage
        case .unreachable: 69
        case .outcomeUnknown: 75
        }
    }

    // MARK: - Factories

    /// A bad flag value, a missing flag, a file that does not load.
    static func usage(_ message: String) -> BBSCtlError {
        BBSCtlError(kind: .usage, message: message)
    }

    /// Every URL failed before the request was sent; `attempts` says why for each.
    static func unreachable(_ attempts: [(url: String, error: RPCError)]) -> BBSCtlError {
        let reasons = attempts.map { "\($0.url): \($0.error.message)" }.joined(separator: "; ")
        return BBSCtlError(kind: .unreachable, message: "no bbs could be reached (\(reasons))")
    }

    /// A bbs answered with something that breaks the API (e.g. a page token that repeats).
    static func badAnswer(_ problem: String) -> BBSCtlError {
        BBSCtlError(kind: .refused, message: "the bbs answered badly: \(problem)")
    }

    /// The failure of a call to `url`, classified by how far its request got.
    static func call(to url: String, failedWith error: RPCError) -> BBSCtlError {
        switch error.delivery {
        case .answered:
            var message = "\(url) answered \(error.code)"
            if !error.message.isEmpty { message += ": \(error.message)" }
            if let type = error.metadata[BBSError.errorTypeMetadataKey] { message += " (bbs-error-type: \(type))" }
            return BBSCtlError(kind: .refused, message: message)
        case .notSent:
            return unreachable([(url, error)])
        case .maybeSent:
            return BBSCtlError(
                kind: .outcomeUnknown,
                message: "\(url): \(error.message); the request was sent and may or may not have been applied")
        case .cannotSend:
            return usage("\(url): \(error.message)")
        }
    }
}
