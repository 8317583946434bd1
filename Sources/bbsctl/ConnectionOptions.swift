import ArgumentParser
import Foundation

/// The connection flags of every command that calls the bbs, named as the server names its own.
///
/// Exists so each command declares them with one `@OptionGroup` line and gets the same help and the
/// same merge with the environment (`ConnectionSettings.resolve`).
struct ConnectionOptions: ParsableArguments {
    @Option(
        name: .customLong("bbs-url"),
        help: ArgumentHelp(
            "A bbs to call; repeat for several, tried in order (env BBS_URL, comma-separated).", valueName: "url"))
    var bbsURLs: [String] = []

    @Option(name: .customLong("ca-file"), help: "CA that the bbs's certificate must chain to (env BBS_CA_FILE).")
    var caFile: String?

    @Option(name: .customLong("cert-file"), help: "Client certificate chain, PEM (env BBS_CERT_FILE).")
    var certFile: String?

    @Option(name: .customLong("key-file"), help: "Client private key, PEM (env BBS_KEY_FILE).")
    var keyFile: String?

    @Option(
        name: .customLong("timeout"),
        help: ArgumentHelp(
            "Deadline of each call, a Go duration (env BBS_TIMEOUT; default 10s).", valueName: "duration"))
    var timeout: String?

    /// The flags merged with this process's environment.
    func settings(environment: [String: String] = ProcessInfo.processInfo.environment) throws(BBSCtlError)
        -> ConnectionSettings
    {
        try ConnectionSettings.resolve(
            flags: ConnectionSettings.Flags(
                bbsURLs: bbsURLs, caFile: caFile, certFile: certFile, keyFile: keyFile, timeout: timeout),
            environment: environment)
    }
}
