import Synchronization

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// Where log lines go, one whole line at a time.
///
/// Exists because loggers on many threads share one standard error: a line longer than `PIPE_BUF`
/// written to a pipe can be split by the kernel and interleaved with another thread's line, so every
/// line is written under one lock, with the short-write and `EINTR` retries inside it. Tests give a
/// file descriptor of their own (a pipe, to prove lines stay whole) or a closure that collects lines.
package final class LogLineSink: Sendable {
    private enum Destination: Sendable {
        case fileDescriptor(Int32)
        case receiver(@Sendable ([UInt8]) -> Void)
    }

    /// The process's standard error, shared by every handler that `JSONLogHandler.bootstrap` makes.
    package static let standardError = LogLineSink(fileDescriptor: 2)

    private let destination: Destination
    private let lock = Mutex(())

    /// Writes to `fileDescriptor`, which stays owned (and closed) by the caller.
    package init(fileDescriptor: Int32) {
        destination = .fileDescriptor(fileDescriptor)
    }

    /// Hands each line (newline included) to `receive`, one call at a time.
    package init(receive: @escaping @Sendable (_ line: [UInt8]) -> Void) {
        destination = .receiver(receive)
    }

    /// Writes `line` whole before any other line starts. A line that cannot be written (a closed
    /// descriptor, a full non-blocking pipe) is dropped: logging must never stop the server.
    package func write(_ line: [UInt8]) {
        lock.withLock { _ in
            switch destination {
            case .receiver(let receive):
                receive(line)
            case .fileDescriptor(let descriptor):
                Self.writeAll(line, to: descriptor)
            }
        }
    }

    private static func writeAll(_ line: [UInt8], to descriptor: Int32) {
        line.withUnsafeBytes { raw in
            guard let base = raw.baseAddress else { return }
            var offset = 0
            while offset < raw.count {
                let written = systemWrite(descriptor, base + offset, raw.count - offset)
                if written > 0 {
                    offset += written
                } else if written < 0 && errno == EINTR {
                    continue
                } else {
                    return
                }
            }
        }
    }
}

private func systemWrite(_ descriptor: Int32, _ bytes: UnsafeRawPointer, _ count: Int) -> Int {
    #if canImport(Darwin)
        Darwin.write(descriptor, bytes, count)
    #elseif canImport(Musl)
        Musl.write(descriptor, bytes, count)
    #else
        Glibc.write(descriptor, bytes, count)
    #endif
}
