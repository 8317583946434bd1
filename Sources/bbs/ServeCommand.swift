import ArgumentParser
import Dispatch
import Foundation
import Logging
import RPC
import Store
import TLS

/// `bbs [serve]`: lock, data version state machine, migrations, then serve until SIGTERM/SIGINT.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve", abstract: "Start bbs: take the lock, migrate the data if needed, serve.")

    @OptionGroup var storeOptions: StoreOptions

    @Option(name: .customLong("listen-address"), help: "HOST:PORT to serve gRPC on (port 0 picks one).")
    var listenAddress = "127.0.0.1:8889"

    @Option(name: .customLong("ca-file"), help: "CA that client certificates must chain to.")
    var caFile: String?
    @Option(name: .customLong("cert-file"), help: "The server certificate chain (PEM).")
    var certFile: String?
    @Option(name: .customLong("key-file"), help: "The server private key (PEM).")
    var keyFile: String?
    @Flag(name: .customLong("insecure-plaintext"), help: "Serve h2c without TLS (development only).")
    var insecurePlaintext = false

    func run() async throws {
        LoggingSystem.bootstrap(StreamLogHandler.standardError)
        let logger = Logger(label: "bbs")
        let server = try makeServerConfiguration()
        do {
            try await serve(server, logger: logger)
        } catch let failure as StartupFailure {
            FileHandle.standardError.write(Data((failure.message + "\n").utf8))
            throw ExitCode(failure.exitCode)
        }
    }

    func serve(_ configuration: RPCServerConfiguration, logger: Logger) async throws {
        let termination = TerminationSignal()
        let store = try storeOptions.open()
        var lock: StoreLock?
        if let path = store.lockPath {
            lock = try await StoreLock.acquire(path: path) { logger.info("waiting for the lock \(path)") }
        } else {
            logger.notice("no master lock for this store yet (the services issue adds it): run a single bbs")
        }
        defer { lock?.release() }
        let gate = MigrationGate()
        let startup = Startup(
            backend: store.backend, migrator: try storeOptions.migrator(for: store),
            context: MigrationContext(codec: try storeOptions.codec()), gate: gate, logger: logger)

        // Decide before listening: a shut-down row writes nothing and serves nothing.
        let stored = try await store.backend.readDataVersion()?.0
        if case .shutDown = DataVersionStartup(binaryVersion: startup.migrator.newestVersion).decide(stored) {
            try await startup.run()
        }
        gate.close(reason: "starting")
        let server = RPCServer(configuration: configuration, router: RPCRouter(), interceptors: [gate])
        try await server.start()
        logger.info("listening on \(configuration.host):\(server.localPort)")
        do {
            try await startup.run()
        } catch {
            await server.shutdownGracefully(timeout: .seconds(1))
            try? await store.backend.close()
            throw error
        }
        gate.open()
        termination.startServing()
        logger.info("serving data version \(startup.migrator.newestVersion)")
        await termination.wait()
        logger.info("shutting down")
        await server.shutdownGracefully()
        try await store.backend.close()
    }

    func makeServerConfiguration() throws -> RPCServerConfiguration {
        guard let colon = listenAddress.lastIndex(of: ":"), let port = Int(listenAddress[listenAddress.index(after: colon)...]),
            (0...65535).contains(port)
        else { throw ValidationError("--listen-address must be HOST:PORT, got '\(listenAddress)'") }
        let host = String(listenAddress[..<colon]).trimmingCharacters(in: CharacterSet(charactersIn: "[]"))
        if insecurePlaintext {
            return RPCServerConfiguration(host: host, port: port, security: .insecurePlaintext)
        }
        guard let caFile, let certFile, let keyFile else {
            throw ValidationError("pass --ca-file, --cert-file and --key-file for mutual TLS, or --insecure-plaintext")
        }
        let tls = TLSConfiguration(certificateChainFile: certFile, privateKeyFile: keyFile, trustRootsFile: caFile)
        return RPCServerConfiguration(host: host, port: port, security: .mutualTLS(tls))
    }
}
