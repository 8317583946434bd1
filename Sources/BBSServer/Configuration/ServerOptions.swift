import ArgumentParser
import Foundation
import RPC
import Services
import Store

/// The server's flags (Diego's config keys in kebab case); each may also come from the config file, and a
/// flag wins over the file.
struct ServerOptions: ParsableArguments {
    @Option(name: .customLong("listen-address"), help: "HOST:PORT to serve gRPC on (default 0.0.0.0:8889; port 0 picks one).")
    var listenAddress: String?
    @Option(name: .customLong("advertise-url"), help: "Where clients reach this instance (default https:// + listen address).")
    var advertiseURL: String?
    @Option(name: .customLong("ca-file"), help: "CA that client certificates must chain to.")
    var caFile: String?
    @Option(name: .customLong("cert-file"), help: "The server certificate chain (PEM).")
    var certFile: String?
    @Option(name: .customLong("key-file"), help: "The server private key (PEM).")
    var keyFile: String?
    @Flag(name: .customLong("insecure-plaintext"), help: "Serve h2c without TLS (development only).")
    var insecurePlaintext = false
    @Option(name: .long, help: "This instance's id in the master lock (default: a new random id per start).")
    var uuid: String?
    @Option(name: .customLong("lock-ttl"), help: "How long the master lock outlives its last renewal (default 15s).")
    var lockTTL: String?
    @Option(name: .customLong("lock-retry-interval"), help: "How often a standby tries to take the lock (default 5s).")
    var lockRetryInterval: String?
    @Option(name: .customLong("drain-timeout"), help: "How long calls in flight may finish after SIGTERM (default 10s).")
    var drainTimeout: String?
    @Option(name: .customLong("debug-address"), help: "Loopback HOST:PORT of the operators' HTTP endpoint (/healthz; default 127.0.0.1:17017; port 0 picks one; 'off' disables).")
    var debugAddress: String?
    @Option(name: .customLong("max-send-message-size"), help: "The largest response in bytes (default 67108864, 64 MiB).")
    var maxSendMessageSize: Int?

    /// The server settings from the flags over `file` (codec and migrator are filled in by the caller).
    func resolve(_ file: ConfigFile?) throws(BBSStartupError) -> BBSServerSettings {
        let listen = listenAddress ?? file?.listenAddress ?? "0.0.0.0:8889"
        let (host, port) = try Self.hostPort(listen, flag: "--listen-address")
        let plaintext = insecurePlaintext || (file?.insecurePlaintext ?? false)
        let security: RPCServerConfiguration.Security
        if plaintext {
            security = .insecurePlaintext
        } else {
            guard let ca = caFile ?? file?.caFile, let cert = certFile ?? file?.certFile, let key = keyFile ?? file?.keyFile
            else {
                throw .usage("pass --ca-file, --cert-file and --key-file for mutual TLS (or --insecure-plaintext)")
            }
            for (flag, path) in [("--ca-file", ca), ("--cert-file", cert), ("--key-file", key)]
            where !FileManager.default.isReadableFile(atPath: path) {
                throw .usage("\(flag) \(path): no such readable file")
            }
            security = .mutualTLS(RPCTLSConfiguration(caFile: ca, certificateChainFile: cert, privateKeyFile: key))
        }
        var rpc = RPCServerConfiguration(host: host, port: port, security: security)
        let maxSend = maxSendMessageSize ?? file?.maxSendMessageSize ?? 64 * 1024 * 1024
        guard maxSend >= 1024 else { throw .usage("--max-send-message-size must be at least 1024 bytes, got \(maxSend)") }
        rpc.maxSendMessageSize = maxSend

        let advertise = advertiseURL ?? file?.advertiseURL ?? "\(plaintext ? "http" : "https")://\(listen)"
        guard advertise.hasPrefix("https://") || advertise.hasPrefix("http://") else {
            throw .usage("--advertise-url must be an https:// (or http://) URL, got '\(advertise)'")
        }
        let ttl = try Self.duration(lockTTL, file?.lockTTL, default: .seconds(15), flag: "--lock-ttl")
        let retry = try Self.duration(lockRetryInterval, file?.lockRetryInterval, default: .seconds(5), flag: "--lock-retry-interval")
        let drain = try Self.duration(drainTimeout, file?.drainTimeout, default: .seconds(10), flag: "--drain-timeout")
        guard ttl >= .seconds(1) else { throw .usage("--lock-ttl must be at least 1s, got \(GoDuration(ttl))") }

        let debug = debugAddress ?? file?.debugAddress ?? "127.0.0.1:17017"
        var debugHost = "", debugPort = -1
        if debug != "off" { (debugHost, debugPort) = try Self.hostPort(debug, flag: "--debug-address") }
        let id = uuid ?? file?.uuid ?? UUID().uuidString.lowercased()
        guard !id.isEmpty else { throw .usage("--uuid must not be empty") }
        return BBSServerSettings(
            rpc: rpc, advertiseURL: advertise, instanceID: id, lockTTL: ttl, lockRetryInterval: retry,
            drainTimeout: drain, debugHost: debugHost, debugPort: debugPort, codec: RecordCodec(), migrator: .shipped())
    }

    /// The duration of a flag's Go string, else the config file's, else `value`; it must be positive.
    static func duration(
        _ text: String?, _ fromFile: GoDuration?, default value: Duration, flag: String
    ) throws(BBSStartupError) -> Duration {
        guard let text else {
            guard let fromFile else { return value }
            guard fromFile.duration > .zero else { throw .usage("\(flag) must be positive, got '\(fromFile)'") }
            return fromFile.duration
        }
        do {
            let duration = try GoDuration(parsing: text).duration
            guard duration > .zero else { throw BBSStartupError.usage("\(flag) must be positive, got '\(text)'") }
            return duration
        } catch let error as BBSStartupError {
            throw error
        } catch {
            throw .usage("\(flag): \(error)")
        }
    }

    static func hostPort(_ text: String, flag: String) throws(BBSStartupError) -> (String, Int) {
        guard let address = HostPort(text) else { throw .usage("\(flag) must be HOST:PORT, got '\(text)'") }
        return (address.host, address.port)
    }
}
