import ArgumentParser
import Foundation
import Store

/// The entry point of `bbs` (and of the tests' fault-injection build of it): parses the command line,
/// runs the command with this binary's migrations, and turns every failure into one line on stderr and
/// an exit code.
///
/// Exists as a library function so that the fault-injection binary runs exactly the shipped wiring with
/// other migrations, and the shipped binary carries no test switches.
public enum BBSMain {
    /// The migrations of the running binary (the shipped ones unless a test build says otherwise).
    @TaskLocal static var migrator: Migrator = .shipped()

    /// Runs `bbs` with `arguments` (without the program name) and exits.
    public static func run(arguments: [String], migrator: Migrator = .shipped()) async -> Never {
        do {
            var command = try BBSCommand.parseAsRoot(arguments)
            if var command = command as? any AsyncParsableCommand {
                try await $migrator.withValue(migrator) { try await command.run() }
            } else {
                try command.run()
            }
            terminate(0)
        } catch let error as ExitCode {
            terminate(error.rawValue)
        } catch let error as BBSStartupError {
            FileHandle.standardError.write(Data(("bbs: " + error.message + "\n").utf8))
            terminate(error.exitCode)
        } catch {
            let code = BBSCommand.exitCode(for: error)
            if code == .success {
                // --help and --version print to stdout.
                print(BBSCommand.fullMessage(for: error))
                terminate(0)
            }
            let message = BBSCommand.message(for: error).split(separator: "\n").first.map(String.init) ?? "\(error)"
            FileHandle.standardError.write(Data(("bbs: " + message + " (see bbs --help)\n").utf8))
            terminate(code.rawValue)
        }
    }
}

/// Ends the process at once with `code`, after flushing stdout. `_exit`, not `exit`: exit's atexit and
/// static-destructor run can wait forever on threads (event loops, signal sources) still running.
private func terminate(_ code: Int32) -> Never {
    fflush(nil)
    _exit(code)
}

/// A reason to exit non-zero with a message for the operator: a bad flag or config file (64), a refused
/// start-up (2), a failed migration (3), anything else (1).
struct BBSStartupError: Error, CustomStringConvertible {
    var exitCode: Int32
    var message: String

    static func usage(_ message: String) -> BBSStartupError { BBSStartupError(exitCode: 64, message: message) }

    var description: String { message }
}
