import ArgumentParser

/// A bbsctl command that calls the bbs: it declares the connection flags and its own arguments,
/// and implements `run(against:)`.
///
/// Exists so a new command is one small file: the connection (flags merged with the environment,
/// URL fallback, closing) and the failure rules are here, once. A command prints its result with
/// `JSONOutput` and throws `BBSCtlError`s (from `BBSClient`, or `.usage` for a bad argument).
protocol ClientCommand: AsyncParsableCommand {
    /// `@OptionGroup var connection: ConnectionOptions` in each command.
    var connection: ConnectionOptions { get }

    /// The command's work, against a client of the bbs that is closed afterwards.
    func run(against bbs: BBSClient) async throws(BBSCtlError)
}

extension ClientCommand {
    func run() async throws {
        let bbs = BBSClient(settings: try connection.settings())
        do {
            try await run(against: bbs)
        } catch {
            await bbs.close()
            throw error
        }
        await bbs.close()
    }
}
