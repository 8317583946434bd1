#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// A local stand-in for the master lock: an exclusive `flock` on a file next to the SQLite database.
///
/// Exists so two bbs processes on one machine never migrate or serve the same SQLite file at once until the
/// services issue builds the real (store-backed) lock. The kernel releases it when the process dies, even by
/// SIGKILL, so a restarted bbs takes over at once. Not a distributed lock: etcd stores get none here.
final class StoreLock {
    private var descriptor: Int32

    private init(descriptor: Int32) {
        self.descriptor = descriptor
    }

    /// Waits until the lock is ours, calling `waiting` once if someone else holds it.
    static func acquire(path: String, waiting: () -> Void) async throws -> StoreLock {
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw StartupFailure(exitCode: 1, message: "cannot open the lock file \(path): errno \(errno)") }
        var told = false
        while flock(fd, LOCK_EX | LOCK_NB) != 0 {
            guard errno == EWOULDBLOCK || errno == EINTR else {
                close(fd)
                throw StartupFailure(exitCode: 1, message: "cannot lock \(path): errno \(errno)")
            }
            if !told {
                waiting()
                told = true
            }
            try await Task.sleep(for: .milliseconds(100))
        }
        return StoreLock(descriptor: fd)
    }

    func release() {
        guard descriptor >= 0 else { return }
        flock(descriptor, LOCK_UN)
        close(descriptor)
        descriptor = -1
    }

    deinit {
        release()
    }
}
