import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// A TCP proxy in front of one etcd member that loses the answer to an applied write.
///
/// Exists to test the hardest failover case for real: the request reached etcd and was applied,
/// but the connection broke before the answer came back. It forwards bytes both ways; when a
/// client chunk contains one of the `markers` (a key in a Put or Txn), it stops forwarding etcd's
/// answers on that connection, passes the chunk on, waits for etcd to apply it, then cuts the
/// connection. Each marker fires once.
final class AnswerDroppingProxy: @unchecked Sendable {
    let port: UInt16
    private let target: UInt16
    private let listener: Int32
    private let lock = NSLock()
    private var pending: [[UInt8]]
    private var fired: [[UInt8]] = []
    private var sockets: [Int32] = []
    private var closed = false

    init(target: UInt16, markers: [String]) throws {
        self.target = target
        self.pending = markers.map { Array($0.utf8) }
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = Self.loopback(0)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        guard bound == 0, listen(fd, 16) == 0 else { throw POSIXError(.EADDRINUSE) }
        listener = fd
        port = UInt16(bigEndian: address.sin_port)
        Thread { [self] in acceptLoop() }.start()
    }

    /// The markers whose answers were dropped.
    var droppedMarkers: [String] { lock.withLock { fired.map { String(decoding: $0, as: UTF8.self) } } }

    func close() {
        let all = lock.withLock { () -> [Int32] in
            closed = true
            return sockets
        }
        shutdown(listener, Int32(SHUT_RDWR))
        Glibc.close(listener)
        for fd in all { shutdown(fd, Int32(SHUT_RDWR)) }
        usleep(50_000)  // let the pumps see the shutdown before their descriptors go
        for fd in all { Glibc.close(fd) }
    }

    private func acceptLoop() {
        while true {
            let client = accept(listener, nil, nil)
            if client < 0 { return }
            let upstream = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            var address = Self.loopback(target)
            let connected = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    connect(upstream, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
                }
            }
            let isClosed = lock.withLock {
                sockets += [client, upstream]
                return closed
            }
            guard connected == 0, !isClosed else {
                shutdown(client, Int32(SHUT_RDWR))
                continue
            }
            let connection = Connection()
            Thread { [self] in pumpRequests(from: client, to: upstream, connection) }.start()
            Thread { [self] in pumpAnswers(from: upstream, to: client, connection) }.start()
        }
    }

    private final class Connection: @unchecked Sendable {
        let lock = NSLock()
        var dropping = false
    }

    private func pumpRequests(from client: Int32, to upstream: Int32, _ connection: Connection) {
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let count = buffer.withUnsafeMutableBytes { recv(client, $0.baseAddress, $0.count, 0) }
            if count <= 0 { break }
            let chunk = Array(buffer[0..<count])
            let marker = lock.withLock { () -> [UInt8]? in
                guard let index = pending.firstIndex(where: { chunk.contains(subsequence: $0) }) else { return nil }
                let marker = pending.remove(at: index)
                fired.append(marker)
                return marker
            }
            if marker != nil { connection.lock.withLock { connection.dropping = true } }
            guard send(upstream, chunk, chunk.count, Int32(MSG_NOSIGNAL)) == chunk.count else { break }
            if marker != nil {
                usleep(500_000)  // etcd applies the write; its answer is swallowed meanwhile
                break
            }
        }
        shutdown(client, Int32(SHUT_RDWR))
        shutdown(upstream, Int32(SHUT_RDWR))
    }

    private func pumpAnswers(from upstream: Int32, to client: Int32, _ connection: Connection) {
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let count = buffer.withUnsafeMutableBytes { recv(upstream, $0.baseAddress, $0.count, 0) }
            if count <= 0 { break }
            if connection.lock.withLock({ connection.dropping }) { continue }
            guard send(client, Array(buffer[0..<count]), count, Int32(MSG_NOSIGNAL)) == count else { break }
        }
        shutdown(client, Int32(SHUT_RDWR))
        shutdown(upstream, Int32(SHUT_RDWR))
    }

    private static func loopback(_ port: UInt16) -> sockaddr_in {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        address.sin_addr.s_addr = UInt32(0x7f00_0001).bigEndian
        return address
    }
}

extension Array where Element == UInt8 {
    func contains(subsequence needle: [UInt8]) -> Bool {
        guard !needle.isEmpty, needle.count <= count else { return false }
        for start in 0...(count - needle.count) where self[start] == needle[0] {
            if self[start..<(start + needle.count)].elementsEqual(needle) { return true }
        }
        return false
    }
}
