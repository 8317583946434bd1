import NIOConcurrencyHelpers
import NIOCore
import TLS

/// The connections a client keeps to one target, used round-robin.
///
/// Exists so `connections > 1` spreads calls over several HTTP/2 connections (and event loops),
/// and so a redirect target gets its own pool with the same settings.
final class ClientConnectionPool: Sendable {
    let target: ClientTarget
    private let connections: [ClientConnection]
    private let counter = NIOLockedValueBox(0)

    init(
        target: ClientTarget, count: Int, group: any EventLoopGroup, tls: TLSContext?, serverName: String?,
        configuration: RPCClientConfiguration
    ) {
        self.target = target
        self.connections = (0..<max(1, count)).map { _ in
            ClientConnection(
                target: target, eventLoop: group.next(), tls: tls, serverName: serverName,
                settings: configuration.http2, connectTimeout: configuration.connectTimeout)
        }
    }

    /// The connection for the next call.
    func next() -> ClientConnection {
        let index = counter.withLockedValue { counter in
            defer { counter &+= 1 }
            return counter
        }
        return connections[index % connections.count]
    }

    func close() async {
        for connection in connections { await connection.close() }
    }
}
