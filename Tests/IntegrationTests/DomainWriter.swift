import Foundation
import RPC
import Synchronization

/// A client that keeps upserting numbered domains (`PREFIX-0`, `PREFIX-1`, ...) through a failover, and
/// records which writes were acknowledged, by which server, and when.
///
/// Each write goes to the server that acknowledged the last one first, then to the others, every call
/// pinned to its server (no redirect followed, no 503 retried), so an acknowledgement says which server
/// served it. A write is tried again (same domain, upserts are idempotent) until one server acknowledges
/// it; after a round in which every server refused, the writer pauses `retryPause` before the next round,
/// so its measurements are that fine. A write that failed may or may not have landed; one that was
/// acknowledged must be in the store for good.
final class DomainWriter: Sendable {
    /// One acknowledged write.
    struct Acknowledgement: Sendable {
        var index: Int
        var domain: String
        /// The URL of the server that acknowledged it.
        var server: String
        /// When the acknowledgement arrived.
        var at: ContinuousClock.Instant
    }

    let prefix: String
    private let targets: [(url: String, client: RPCClient)]
    private let retryPause: Duration
    private let state = Mutex<(acknowledged: [Acknowledgement], failures: Int)>(([], 0))
    private let running = Mutex<Task<Void, Never>?>(nil)

    /// Writes to the servers at `targets` (URL and a client of that server alone).
    init(prefix: String, targets: [(url: String, client: RPCClient)], retryPause: Duration = .milliseconds(20)) {
        self.prefix = prefix
        self.targets = targets
        self.retryPause = retryPause
    }

    /// Starts writing in the background.
    func start() {
        let task = Task { await self.run() }
        running.withLock { $0 = task }
    }

    /// Stops writing (the write in flight is abandoned) and closes the clients.
    func stop() async {
        let task = running.withLock { task in
            defer { task = nil }
            return task
        }
        task?.cancel()
        await task?.value
        for target in targets { await target.client.close() }
    }

    var acknowledged: [Acknowledgement] { state.withLock { $0.acknowledged } }

    /// Calls that were refused or failed, over all targets.
    var failures: Int { state.withLock { $0.failures } }

    /// The first acknowledgement by `server` that arrived after `instant`.
    func firstAcknowledgement(by server: String, after instant: ContinuousClock.Instant) -> Acknowledgement? {
        acknowledged.first { $0.server == server && $0.at > instant }
    }

    /// The longest time without an acknowledgement from `instant` on: from `instant` to the first one after
    /// it, and between each two after it (nil when none came after it).
    func longestGap(after instant: ContinuousClock.Instant) -> Duration? {
        let times = acknowledged.map(\.at).filter { $0 > instant }
        guard !times.isEmpty else { return nil }
        return zip([instant] + times, times).map { $1 - $0 }.max()
    }

    /// Waits until `count` writes are acknowledged by `server` after `instant` (any server when nil);
    /// false on timeout.
    func waitForAcknowledgements(
        _ count: Int, by server: String? = nil, after instant: ContinuousClock.Instant, timeout: Duration
    ) async -> Bool {
        await poll(timeout: timeout, interval: .milliseconds(10)) { () async -> Bool? in
            let matching = acknowledged.filter { ($0.server == server || server == nil) && $0.at > instant }
            return matching.count >= count ? true : nil
        } ?? false
    }

    private func run() async {
        var index = 0
        var preferred = 0
        while !Task.isCancelled {
            let domain = "\(prefix)-\(index)"
            var acknowledgedBy: Int?
            for offset in 0..<targets.count where !Task.isCancelled {
                let which = (preferred + offset) % targets.count
                do {
                    try await targets[which].client.upsertDomain(domain, options: BBSAPI.pinned(timeout: .seconds(2)))
                    acknowledgedBy = which
                    break
                } catch {
                    state.withLock { $0.failures += 1 }
                }
            }
            if let acknowledgedBy {
                let acknowledgement = Acknowledgement(
                    index: index, domain: domain, server: targets[acknowledgedBy].url, at: .now)
                state.withLock { $0.acknowledged.append(acknowledgement) }
                preferred = acknowledgedBy
                index += 1
            } else {
                try? await Task.sleep(for: retryPause)
            }
        }
    }
}
