import Dispatch
import Foundation

/// SIGTERM/SIGINT handling installed at start-up, before anything can race with it.
///
/// Until serving begins a signal ends the process at once (start-up and migrations are safe to kill at any
/// point: that is what the kill loop proves); once serving, `wait()` returns so the server drains gracefully.
final class TerminationSignal: @unchecked Sendable {
    // @unchecked: every field is guarded by `lock`.
    private let lock = NSLock()
    private var fired = false
    private var cancelled = false
    private var serving = false
    private var continuation: CheckedContinuation<Void, Never>?
    private var sources: [any DispatchSourceSignal] = []

    init(_ signals: [Int32] = [SIGTERM, SIGINT]) {
        for number in signals {
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler { [weak self] in self?.fire(number) }
            source.resume()
            sources.append(source)
        }
    }

    private func fire(_ number: Int32) {
        let (exitNow, waiter) = lock.withLock { () -> (Bool, CheckedContinuation<Void, Never>?) in
            fired = true
            defer { continuation = nil }
            return (!serving, continuation)
        }
        if exitNow { exit(128 + number) }
        waiter?.resume()
    }

    /// From now on a signal asks for a graceful stop instead of ending the process.
    func startServing() {
        lock.withLock { serving = true }
    }

    /// Returns once a signal arrived (at once if one already did), or when the waiting task is cancelled
    /// (a refused start-up ends the process without a signal).
    func wait() async {
        await withTaskCancellationHandler {
            await withCheckedContinuation { (waiter: CheckedContinuation<Void, Never>) in
                let resumeNow = lock.withLock { () -> Bool in
                    if fired || cancelled { return true }
                    continuation = waiter
                    return false
                }
                if resumeNow { waiter.resume() }
            }
        } onCancel: {
            let waiter = lock.withLock { () -> CheckedContinuation<Void, Never>? in
                cancelled = true
                defer { continuation = nil }
                return continuation
            }
            waiter?.resume()
        }
    }
}
