import ArgumentParser
import Foundation
import RPC
import SwiftProtobuf

/// The server that `bench/rpc/run.sh` measures: the two methods the bench peers serve
/// (`/diego.bbs.PingService/Ping` and `/diego.bbs.DesiredLRPService/ListDesiredLRPSchedulingInfos`),
/// on the real RPC layer with mutual TLS, so its figures compare with grpc-go's in the same run.
///
/// It exists apart from `bbs` so the transport is measured without the store. The Ping answer
/// `{available: true}` has the same bytes as `google.protobuf.BoolValue{value: true}` (field 1,
/// bool); the list answer is the peers' payload file, carried as unknown fields of an `Empty`.
@main
struct BenchServer: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rpc-bench-server", abstract: "The RPC layer under benchmark load.")

    @Option(help: "HOST:PORT to listen on.") var listenAddress = "127.0.0.1:18889"
    @Option(help: "CA that client certificates must chain to.") var caFile: String?
    @Option(help: "Server certificate chain (PEM).") var certFile: String?
    @Option(help: "Server private key (PEM).") var keyFile: String?
    @Option(help: "Response bytes for ListDesiredLRPSchedulingInfos.") var listPayloadFile: String?
    @Flag(help: "Serve h2c without TLS (debugging only).") var insecurePlaintext = false
    @Option(help: "Event loop threads (default: the server's default).") var threads: Int?
    @Flag(help: "Run handlers on the connections' event loops.") var handlersOnEventLoop = false

    static let ping = RPCMethod<Google_Protobuf_Empty, Google_Protobuf_BoolValue>(
        service: "diego.bbs.PingService", method: "Ping", kind: .unary)
    static let list = RPCMethod<Google_Protobuf_Empty, Google_Protobuf_Empty>(
        service: "diego.bbs.DesiredLRPService", method: "ListDesiredLRPSchedulingInfos", kind: .unary)

    func run() async throws {
        guard let address = HostPort(listenAddress) else { throw ValidationError("--listen-address must be HOST:PORT") }
        let (host, port) = (address.host, address.port)
        let security: RPCServerConfiguration.Security
        if insecurePlaintext {
            security = .insecurePlaintext
        } else {
            guard let caFile, let certFile, let keyFile else {
                throw ValidationError("--ca-file, --cert-file and --key-file are required (or --insecure-plaintext)")
            }
            security = .mutualTLS(
                RPCTLSConfiguration(caFile: caFile, certificateChainFile: certFile, privateKeyFile: keyFile))
        }
        let listResponse: Google_Protobuf_Empty
        if let listPayloadFile {
            let bytes = try Data(contentsOf: URL(fileURLWithPath: listPayloadFile))
            listResponse = try Google_Protobuf_Empty(serializedBytes: bytes)
        } else {
            listResponse = Google_Protobuf_Empty()
        }
        var router = RPCRouter()
        router.register(Self.ping, unary: { _, _ in Google_Protobuf_BoolValue(true) })
        router.register(Self.list, unary: { _, _ in listResponse })
        var configuration = RPCServerConfiguration(host: host, port: port, security: security)
        if let threads { configuration.threads = threads }
        if handlersOnEventLoop { configuration.runsHandlersOnEventLoop = true }
        let server = RPCServer(configuration: configuration, router: router)
        try await server.start()
        FileHandle.standardError.write(Data("listening on \(host):\(server.localPort)\n".utf8))
        // Runs until the harness stops it with SIGTERM.
        while true { try await Task.sleep(for: .seconds(3600)) }
    }
}
