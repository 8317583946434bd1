internal import COpenSSL

/// Reads OpenSSL's per-thread error queue into text.
///
/// Exists because every connection on an event-loop thread shares that queue: callers clear it
/// before an SSL call and drain it right after a failure, so errors never leak between connections.
enum OpenSSLErrorQueue {
    /// Empties the queue; call before any SSL_* call whose result goes to `SSL_get_error`.
    static func clear() {
        ERR_clear_error()
    }

    /// Empties the queue and returns its entries joined by "; " (or `fallback` when it was empty).
    static func drain(fallback: String = "unknown OpenSSL error") -> String {
        var messages: [String] = []
        while true {
            let code = ERR_get_error()
            if code == 0 { break }
            var buffer = [CChar](repeating: 0, count: 256)
            buffer.withUnsafeMutableBufferPointer { ERR_error_string_n(code, $0.baseAddress, $0.count) }
            let bytes = buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }
            messages.append(String(decoding: bytes, as: UTF8.self))
        }
        return messages.isEmpty ? fallback : messages.joined(separator: "; ")
    }
}
