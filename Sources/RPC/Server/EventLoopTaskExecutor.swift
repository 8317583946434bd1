import NIOCore

/// A task executor that runs jobs on one event loop.
///
/// Exists so that, when `RPCServerConfiguration.runsHandlersOnEventLoop` is set, a handler whose
/// work is short runs on its connection's loop: no hop to the cooperative pool and back, which is
/// most of a small unary call's latency. A handler that blocks would stall the loop, so this is
/// opt-in.
final class EventLoopTaskExecutor: TaskExecutor, @unchecked Sendable {
    private let loop: any EventLoop

    init(loop: any EventLoop) {
        self.loop = loop
    }

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        let executor = asUnownedTaskExecutor()
        loop.execute { job.runSynchronously(on: executor) }
    }
}
