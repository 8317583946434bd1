import ArgumentParser
import Dispatch
import Foundation
import Interop
import RPC

/// The `rpc-interop-server` executable: `grpc.testing.TestService` over mutual TLS (or h2c,
/// only when asked for explicitly), for gRPC's interop test clients and our own tests.
@main
struct InteropServerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rpc-interop-server",
        abstract: "Serves grpc.testing.TestService for gRPC's interop test cases.")

    @Option(name: .customLong("port"), help: "Port to listen on (interop spec name); 0 picks a free one.")
    var port: Int?

    @Option(name: .customLong("use_tls"), help: "Whether to use mutual TLS (interop spec name): true or false.")
    var useTLS: Bool = true

    @Option(name: .customLong("listen-address"), help: "HOST:PORT to listen on (default 127.0.0.1:8889).")
    var listenAddress: String?

    @Option(name: .customLong("ca-file"), help: "PEM CA that client certificates must chain to.")
    var caFile: String?

    @Option(name: .customLong("cert-file"), help: "PEM server certificate chain.")
    var certFile: String?

    @Option(name: .customLong("key-file"), help: "PEM server private key.")
    var keyFile: String?

    @Flag(name: .customLong("insecure-plaintext"), help: "Serve h2c without TLS (never the default).")
    var insecurePlaintext = false

    @Option(name: .customLong("threads"), help: "Event loop threads.")
    var threads: Int = 1

    func validate() throws {
        if !useTLS && !insecurePlaintext {
            throw ValidationError("--use_tls=false serves plaintext h2c: pass --insecure-plaintext to confirm")
        }
        if useTLS && insecurePlaintext {
            throw ValidationError("--insecure-plaintext needs --use_tls=false")
        }
        if useTLS && (caFile == nil || certFile == nil || keyFile == nil) {
            throw ValidationError("mutual TLS needs --ca-file, --cert-file and --key-file")
        }
        if let port, !(0...65535).contains(port) { throw ValidationError("--port must be 0...65535") }
        _ = try address()
    }

    /// The host and port to bind: `--listen-address`, with `--port` overriding its port.
    func address() throws -> (host: String, port: Int) {
        var host = "127.0.0.1"
        var boundPort = 8889
        if let listenAddress {
            guard let parsed = HostPort(listenAddress) else {
                throw ValidationError("--listen-address must be HOST:PORT, got \(listenAddress)")
            }
            host = parsed.host
            boundPort = parsed.port
        }
        if let port { boundPort = port }
        return (host, boundPort)
    }

    func run() async throws {
        let (host, port) = try address()
        let security: RPCServerConfiguration.Security
        if useTLS, let caFile, let certFile, let keyFile {
            security = .mutualTLS(
                RPCTLSConfiguration(caFile: caFile, certificateChainFile: certFile, privateKeyFile: keyFile))
        } else {
            security = .insecurePlaintext
        }
        var configuration = RPCServerConfiguration(host: host, port: port, security: security)
        configuration.threads = max(1, threads)
        var router = RPCRouter()
        router.register(TestServiceProvider())

        let signals = SignalWaiter(signals: [SIGTERM, SIGINT])
        let server = RPCServer(configuration: configuration, router: router)
        try await server.start()
        let mode = useTLS ? "mutual TLS" : "insecure plaintext h2c"
        standardError("listening on \(host):\(server.localPort) (\(mode))")
        let signal = await signals.wait()
        standardError("signal \(signal): shutting down gracefully")
        await server.shutdownGracefully(timeout: .seconds(5))
        standardError("stopped")
    }
}

/// Writes one line to stderr (no C stdio globals under Swift 6).
func standardError(_ line: String) {
    FileHandle.standardError.write(Data((line + "\n").utf8))
}

/// Turns SIGTERM/SIGINT into an awaitable event.
final class SignalWaiter {
    private let stream: AsyncStream<Int32>
    private let sources: [any DispatchSourceSignal]

    init(signals: [Int32]) {
        let (stream, continuation) = AsyncStream<Int32>.makeStream()
        self.stream = stream
        self.sources = signals.map { number in
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler { continuation.yield(number) }
            source.resume()
            return source
        }
    }

    func wait() async -> Int32 {
        for await number in stream { return number }
        return 0
    }
}
