import Logging
import Services

/// The operators' plain-HTTP endpoint of a bbs process, on loopback: `/healthz` answers 200 on every
/// live instance (master or standby, like Diego's health server) and 503 once it shuts down; the
/// detail says which phase it is in.
enum DebugEndpoint {
    /// Starts the endpoint named by `--debug-address` (nil when it is off).
    static func start(settings: BBSServerSettings, server: BBSServer, logger: Logger) async throws -> DebugServer? {
        guard settings.debugPort >= 0 else { return nil }
        let state = server.state
        let election = server.election
        let debug = DebugServer(
            configuration: DebugServer.Configuration(host: settings.debugHost, port: settings.debugPort),
            health: {
                let phase = state.phase
                return (phase != .shuttingDown, "\(phase); election: \(election.role)")
            })
        do {
            try await debug.start()
        } catch {
            throw BBSStartupError.usage("--debug-address \(settings.debugHost):\(settings.debugPort): \(error)")
        }
        logger.info("debug endpoint on http://\(settings.debugHost):\(debug.localPort ?? settings.debugPort)/healthz")
        return debug
    }
}

/// `--log-level` as a swift-log level (info when not given).
enum LogLevelOption {
    static func resolve(_ name: String?, file: ConfigFile?) throws(BBSStartupError) -> Logger.Level {
        guard let name else { return file?.logLevel ?? .info }
        do {
            return try Logger.Level(logLevelName: name)
        } catch {
            throw .usage("--log-level: \(error)")
        }
    }
}
