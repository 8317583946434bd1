import ArgumentParser
import Foundation

/// How a failed command ends: the exit code and the one line for stderr.
///
/// Exists so the shell can tell whose fault a failure was from the code alone (the table is in
/// `BBSCtlCommand`'s discussion): our own `BBSCtlError`s carry their kind; ArgumentParser's parse and
/// validation errors are bad usage (64); anything else escaped a command and is bbsctl's own bug (70).
struct ExitStatus: Equatable {
    /// `EX_USAGE`: the command line (or its environment) is wrong.
    static let usage: Int32 = 64
    /// `EX_SOFTWARE`: an error no command meant to throw.
    static let internalFailure: Int32 = 70

    var code: Int32
    /// The text after `bbsctl: `; nil when ArgumentParser prints instead (help, `--version`, `ExitCode`).
    var line: String?

    init(code: Int32, line: String?) {
        self.code = code
        self.line = line
    }

    init(for error: any Error, as command: ParsableCommand.Type) {
        switch error {
        case let error as BBSCtlError:
            self.init(code: error.exitCode, line: error.message)
        case let error as ExitCode:
            self.init(code: error.rawValue, line: nil)
        default:
            let code = command.exitCode(for: error)
            if code.isSuccess {
                self.init(code: code.rawValue, line: nil)
            } else if code == .validationFailure {
                self.init(code: Self.usage, line: Self.oneLine(command.message(for: error)))
            } else {
                self.init(code: Self.internalFailure, line: Self.oneLine(String(describing: error)))
            }
        }
    }

    /// `text` on one line: stderr gets exactly one line per failure, whatever the message held.
    static func oneLine(_ text: String) -> String {
        text.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }
            .filter { !$0.isEmpty }.joined(separator: "; ")
    }

    static func writeToStandardError(_ line: String) {
        FileHandle.standardError.write(Data((line + "\n").utf8))
    }
}
