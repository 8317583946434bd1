import ArgumentParser
import Foundation
import Logging
import RPC
import Store

/// `bbs [serve]`: listen, win the master lock, check the data version and migrate, serve until SIGTERM.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve", abstract: "Start bbs: listen, take the master lock, migrate the data if needed, serve.")

    @OptionGroup var config: ConfigOptions
    @OptionGroup var storeOptions: StoreOptions
    @OptionGroup var serverOptions: ServerOptions

    func run() async throws {
        let file = try config.load()
        let logLevel = try LogLevelOption.resolve(config.logLevel, file: file)
        var settings = try serverOptions.resolve(file)
        let storeSettings = try storeOptions.resolve(file)
        settings.codec = storeSettings.codec
        JSONLogHandler.bootstrap(level: logLevel)
        let logger = Logger(label: "bbs")
        let termination = TerminationSignal()
        let store = try storeSettings.connect()
        var migrator = BBSMain.migrator
        migrator.batchSize = store.batchSize
        settings.migrator = migrator

        let server = BBSServer(settings: settings, store: store, logger: logger)
        let debug = try await DebugEndpoint.start(settings: settings, server: server, logger: logger)
        let exit = try await server.run(termination: termination)
        await debug?.stop()
        if case .refused(let code, let message) = exit {
            throw BBSStartupError(exitCode: code, message: message)
        }
    }
}

/// `--config FILE` and `--log-level`, which every subcommand takes.
struct ConfigOptions: ParsableArguments {
    @Option(name: .long, help: "A JSON config file in Diego's style (snake_case keys, durations like \"15s\").")
    var config: String?

    @Option(name: .customLong("log-level"), help: "trace, debug, info, notice, warning, error or critical.")
    var logLevel: String?

    /// The config file, when one was named.
    func load() throws(BBSStartupError) -> ConfigFile? {
        guard let config else { return nil }
        do {
            return try ConfigFile.load(path: config)
        } catch {
            throw .usage("\(error)")
        }
    }
}
