import HTTP2
import NIOConcurrencyHelpers
import NIOCore

/// The server's open connections, for graceful shutdown.
///
/// Exists so `RPCServer.shutdownGracefully` can send GOAWAY on every connection (on its own
/// loop), wait for them to drain, and close what is left after the timeout.
final class ServerConnectionRegistry: Sendable {
    private struct Entry {
        var channel: any Channel
        var connection: NIOLoopBound<HTTP2Connection>?
    }

    private struct State {
        var nextID = 0
        var entries: [Int: Entry] = [:]
        var shuttingDown = false
        var drained: [CheckedContinuation<Void, Never>] = []
    }

    private let state = NIOLockedValueBox(State())

    func add(_ channel: any Channel) -> Int {
        state.withLockedValue { state in
            state.nextID += 1
            state.entries[state.nextID] = Entry(channel: channel)
            return state.nextID
        }
    }

    /// The HTTP/2 session is up. A connection that arrives during shutdown gets GOAWAY at once.
    func setConnection(_ connection: NIOLoopBound<HTTP2Connection>, for id: Int) {
        let shuttingDown = state.withLockedValue { state in
            state.entries[id]?.connection = connection
            return state.shuttingDown
        }
        if shuttingDown { connection.value.shutdownGracefully() }
    }

    func remove(_ id: Int) {
        let waiters = state.withLockedValue { state in
            state.entries[id] = nil
            guard state.entries.isEmpty else { return [CheckedContinuation<Void, Never>]() }
            defer { state.drained = [] }
            return state.drained
        }
        for waiter in waiters { waiter.resume() }
    }

    /// GOAWAY on every connection; connections without a session yet are closed.
    func shutdownAll() {
        let entries = state.withLockedValue { state in
            state.shuttingDown = true
            return Array(state.entries.values)
        }
        for entry in entries {
            if let connection = entry.connection {
                entry.channel.eventLoop.execute { connection.value.shutdownGracefully() }
            } else {
                entry.channel.close(promise: nil)
            }
        }
    }

    /// Waits until every connection closed; false if `timeout` passed first.
    func waitUntilEmpty(timeout: Duration) async -> Bool {
        await withTaskGroup(of: Bool.self) { group in
            group.addTask {
                await withCheckedContinuation { continuation in
                    let empty = self.state.withLockedValue { state in
                        if state.entries.isEmpty { return true }
                        state.drained.append(continuation)
                        return false
                    }
                    if empty { continuation.resume() }
                }
                return true
            }
            group.addTask {
                try? await Task.sleep(for: timeout)
                return false
            }
            let first = await group.next() ?? false
            if !first {
                // Release the drain waiter so the group can finish.
                let waiters = state.withLockedValue { state in
                    defer { state.drained = [] }
                    return state.drained
                }
                for waiter in waiters { waiter.resume() }
            }
            group.cancelAll()
            return first
        }
    }

    func closeAll() async {
        let channels = state.withLockedValue { $0.entries.values.map(\.channel) }
        for channel in channels { try? await channel.close() }
    }
}
