import NIOConcurrencyHelpers

/// The serving status per service that `grpc.health.v1.Health` reports (Check and Watch).
///
/// Exists so the layers above mark services (or the whole server, service "") serving or not;
/// Watch calls see every change. The server sets "" to SERVING once started and every service
/// to NOT_SERVING when it shuts down.
public final class HealthStatusBoard: Sendable {
    public enum ServingStatus: Int, Sendable {
        case unknown = 0
        case serving = 1
        case notServing = 2
        case serviceUnknown = 3
    }

    private struct State {
        var statuses: [String: ServingStatus] = [:]
        var watchers: [Int: (service: String, continuation: AsyncStream<ServingStatus>.Continuation)] = [:]
        var nextWatcher = 0
        var shutDown = false
    }

    private let state = NIOLockedValueBox(State())

    init() {}

    public func setStatus(_ status: ServingStatus, forService service: String) {
        let watchers = state.withLockedValue { state in
            guard !state.shutDown else { return [AsyncStream<ServingStatus>.Continuation]() }
            state.statuses[service] = status
            return state.watchers.values.filter { $0.service == service }.map(\.continuation)
        }
        for watcher in watchers { watcher.yield(status) }
    }

    /// The status of `service`, or nil when nobody set one.
    public func status(forService service: String) -> ServingStatus? {
        state.withLockedValue { $0.statuses[service] }
    }

    /// Every service with a status.
    public var statuses: [String: ServingStatus] { state.withLockedValue { $0.statuses } }

    /// Statuses for `service` as they change, starting with the current one (SERVICE_UNKNOWN when
    /// not known). Ends when the server shuts down.
    func watch(_ service: String) -> AsyncStream<ServingStatus> {
        let (stream, continuation) = AsyncStream.makeStream(
            of: ServingStatus.self, bufferingPolicy: .bufferingNewest(1))
        let (id, current, shutDown) = state.withLockedValue { state in
            state.nextWatcher += 1
            if !state.shutDown {
                state.watchers[state.nextWatcher] = (service, continuation)
            }
            return (state.nextWatcher, state.statuses[service] ?? .serviceUnknown, state.shutDown)
        }
        continuation.yield(current)
        if shutDown {
            continuation.finish()
        } else {
            continuation.onTermination = { [weak self] _ in
                self?.state.withLockedValue { _ = $0.watchers.removeValue(forKey: id) }
            }
        }
        return stream
    }

    /// Shutdown: everything NOT_SERVING, watchers told and then ended.
    func enterShutdown() {
        let watchers = state.withLockedValue { state in
            for key in state.statuses.keys { state.statuses[key] = .notServing }
            state.statuses[""] = .notServing
            state.shutDown = true
            defer { state.watchers = [:] }
            return Array(state.watchers.values)
        }
        for watcher in watchers {
            watcher.continuation.yield(.notServing)
            watcher.continuation.finish()
        }
    }
}
