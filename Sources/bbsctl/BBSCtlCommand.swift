import ArgumentParser
import Services

/// The `bbsctl` executable: the operator's CLI for a running bbs, in the spirit of Diego's cfdot.
///
/// Exists so an operator (or a script) can ask a bbs what it holds and who its master is without a
/// gRPC toolchain: every command prints JSON on stdout and fails with one line on stderr and an exit
/// code that says whose fault it was. Each command is one `ClientCommand` in `Commands/`, listed here.
@main
struct BBSCtlCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bbsctl",
        abstract: "Ask a running bbs what it holds: domains, cells, data version, master.",
        discussion: """
            Connection: --bbs-url (repeatable; https://HOST:PORT for mutual TLS, http://HOST:PORT for a bbs \
            started with --insecure-plaintext), --ca-file, --cert-file, --key-file and --timeout (a Go \
            duration) go after the command name or before it. Each has an environment variable that a flag \
            overrides: BBS_URL (a comma-separated list), BBS_CA_FILE, BBS_CERT_FILE, BBS_KEY_FILE, \
            BBS_TIMEOUT. Defaults: --bbs-url \(ConnectionSettings.defaultURL), --timeout \
            \(GoDuration(ConnectionSettings.defaultTimeout)). The URLs are tried in order until one can be \
            reached; a bbs that is not the master redirects to the master, which is followed.

            Output: one JSON object on stdout (protobuf JSON with proto field names; fields at their \
            default value are left out), or one object per line for lists.

            Exit codes:
              0   success
              1   refused: the bbs answered with an error status (printed: its
                  code name, message and bbs-error-type)
              64  bad usage: an unknown command or flag, a bad value (URL,
                  duration), TLS files missing or not loadable
              69  unreachable: no --bbs-url could be reached; nothing was sent
              70  bbsctl itself failed (a bug: please report it)
              75  outcome unknown: the request went out but no answer came back
                  (connection lost, --timeout passed); it may have been applied
            """,
        subcommands: [
            PingCommand.self, DataVersionCommand.self, MasterCommand.self, DomainsCommand.self,
            UpsertDomainCommand.self, CellsCommand.self,
        ])

    /// Declared here as well as in each command so that the connection flags may also come before the
    /// command name (`bbsctl --bbs-url URL ping`); ArgumentParser hands the command the same values.
    @OptionGroup var connection: ConnectionOptions

    /// ArgumentParser's own `main`, except that every failure is one `bbsctl: ...` line on stderr
    /// with the exit code of `ExitStatus` (help and `--version` still print as usual).
    static func main() async {
        do {
            var command = try await asyncParseAsRoot()
            if var asyncCommand = command as? AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch {
            let status = ExitStatus(for: error, as: self)
            guard let line = status.line else { exit(withError: error) }
            ExitStatus.writeToStandardError("bbsctl: \(line)")
            exit(withError: ExitCode(status.code))
        }
    }
}
