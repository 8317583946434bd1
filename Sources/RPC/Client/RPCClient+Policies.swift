/// The redirect and retry policies around a replayable call (unary, server-streaming).
extension RPCClient {
    /// Runs `attempt` on a connection of the current target; follows a 307 (or `bbs-master-url`)
    /// to the master, at most `maxRedirects` times, and retries 503 answers with jittered
    /// exponential backoff (at least `retry-after`) while `retryBudget` and the deadline allow.
    func withPolicies<T: Sendable>(
        _ options: CallOptions,
        _ attempt: @Sendable (ClientConnection, ContinuousClock.Instant?) async throws -> T
    ) async throws -> T {
        let start = ContinuousClock.now
        let deadline = options.timeout.map { start + $0 }
        var target = configuration.primaryTarget
        var redirects = 0
        var backoff = configuration.initialBackoff
        while true {
            do {
                return try await attempt(try pool(for: target).next(), deadline)
            } catch let error as BodyError {
                throw error.error
            } catch let error as RPCError {
                if options.followRedirects, let master = Self.redirectTarget(of: error, from: target) {
                    guard redirects < configuration.maxRedirects else {
                        var exhausted = error
                        exhausted.message += " (not followed: already followed \(redirects) redirects)"
                        throw exhausted
                    }
                    redirects += 1
                    target = master
                    continue
                }
                if options.retryUnavailable, error.httpAnswer?.status == 503 {
                    let delay = max(Self.jittered(backoff), Self.retryAfter(of: error))
                    let now = ContinuousClock.now
                    guard now + delay <= start + configuration.retryBudget else { throw error }
                    if let deadline, now + delay >= deadline { throw error }
                    try await Task.sleep(for: delay)
                    backoff = min(backoff * 2, configuration.maxBackoff)
                    continue
                }
                throw error
            }
        }
    }

    /// The master named by a redirect answer, with the current TLS choice (never downgraded).
    static func redirectTarget(of error: RPCError, from current: ClientTarget) -> ClientTarget? {
        var url: String?
        if let answer = error.httpAnswer, answer.status == 307 || answer.status == 308 {
            url = answer.headers.first(where: { $0.name == "location" })?.value
        }
        if url == nil, error.code == .unavailable {
            url = error.metadata[RPCError.masterURLMetadataKey]
        }
        guard let url, var target = ClientTarget(url: url) else { return nil }
        target.usesTLS = current.usesTLS
        return target == current ? nil : target
    }

    static func retryAfter(of error: RPCError) -> Duration {
        guard let value = error.httpAnswer?.headers.first(where: { $0.name == "retry-after" })?.value,
            let seconds = Int(value), seconds > 0
        else { return .zero }
        return .seconds(min(seconds, 3600))
    }

    /// Full jitter between half and all of `backoff`.
    static func jittered(_ backoff: Duration) -> Duration {
        backoff * Double.random(in: 0.5...1.0)
    }
}
