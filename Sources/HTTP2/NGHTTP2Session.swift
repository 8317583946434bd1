internal import CNGHTTP2
import NIOCore

/// What a received DATA read callback should do, decided by the stream table.
enum NGHTTP2DataRead: Equatable {
    /// Nothing to send yet: nghttp2 parks the stream until `resumeData`.
    case deferred
    /// `count` bytes were copied; `end` says how the stream's body ends (if it does).
    case bytes(Int, end: NGHTTP2DataEnd)
    /// The stream is unknown: nghttp2 resets it.
    case failed
}

/// How a body ends after the bytes of one read.
enum NGHTTP2DataEnd: Equatable {
    case continues
    case endStream
    case trailers(HTTP2Headers)
}

/// The events nghttp2 reports while it is inside `receive` or `send`.
///
/// Exists so the session wrapper stays free of stream bookkeeping: the owner (the connection core)
/// records the events and acts on them once nghttp2 has returned.
protocol NGHTTP2SessionDelegate: AnyObject {
    func sessionBeginHeaders(streamID: Int32, isRequest: Bool)
    /// Returns an error code to reset the stream with instead of accepting the field.
    func sessionHeader(streamID: Int32, name: String, value: String) -> UInt32?
    func sessionHeadersComplete(streamID: Int32, endStream: Bool)
    func sessionDataChunk(streamID: Int32, bytes: UnsafeRawBufferPointer)
    func sessionDataComplete(streamID: Int32, endStream: Bool)
    func sessionStreamClosed(streamID: Int32, errorCode: UInt32)
    func sessionRequestNotSent(streamID: Int32)
    func sessionGoAwayReceived(lastStreamID: Int32, errorCode: UInt32)
    func sessionPingAcknowledged()
    func sessionReadData(streamID: Int32, into buffer: UnsafeMutableRawBufferPointer) -> NGHTTP2DataRead
    /// A frame with END_STREAM left for this stream (our side of it is done).
    func sessionEndStreamSent(streamID: Int32)
}

/// An nghttp2 error code from a call that failed.
struct NGHTTP2Error: Error, Equatable, CustomStringConvertible {
    var code: Int
    var description: String { "nghttp2 error \(code): \(String(cString: nghttp2_strerror(Int32(code))))" }
    /// The call was made while nghttp2 was already running (from one of its callbacks).
    static let reentrant = NGHTTP2Error(code: Int(NGHTTP2_ERR_INVALID_STATE.rawValue))
}

/// Owns one `nghttp2_session*` and is the only place that calls nghttp2.
///
/// Exists so the C pointer never escapes: it is created here, freed in `deinit`, and every call
/// goes through a method that refuses to re-enter nghttp2 from inside one of its callbacks.
/// The callbacks find this object again through `Unmanaged` user data.
final class NGHTTP2Session {
    enum Role { case server, client }

    /// The outcome of one `send`.
    enum SendResult: Equatable {
        /// nghttp2 has nothing more to send right now.
        case drained
        /// The buffer reached its limit; call `send` again.
        case more
        case failed(NGHTTP2Error)
    }

    /// The connection core that owns this session. Not `weak`: a weak load per nghttp2 callback
    /// showed in profiles, and the owner outlives every call into nghttp2 (it makes them all, and
    /// `nghttp2_session_del` in `deinit` calls no callbacks).
    unowned(unsafe) var delegate: (any NGHTTP2SessionDelegate)?
    private(set) var pointer: OpaquePointer?
    /// True while nghttp2 is running one of our calls (its callbacks may be on the stack).
    private(set) var isBusy = false

    init(role: Role) throws {
        var callbacks: OpaquePointer?
        guard nghttp2_session_callbacks_new(&callbacks) == 0, let callbacks else {
            throw NGHTTP2Error(code: Int(NGHTTP2_ERR_NOMEM.rawValue))
        }
        defer { nghttp2_session_callbacks_del(callbacks) }
        Self.install(callbacks)

        var option: OpaquePointer?
        guard nghttp2_option_new(&option) == 0, let option else {
            throw NGHTTP2Error(code: Int(NGHTTP2_ERR_NOMEM.rawValue))
        }
        defer { nghttp2_option_del(option) }
        // The layer above returns receive window with `consume`: that is its backpressure.
        nghttp2_option_set_no_auto_window_update(option, 1)

        let userData = Unmanaged.passUnretained(self).toOpaque()
        var session: OpaquePointer?
        let rc: Int32
        switch role {
        case .server: rc = nghttp2_session_server_new2(&session, callbacks, userData, option)
        case .client: rc = nghttp2_session_client_new2(&session, callbacks, userData, option)
        }
        guard rc == 0, let session else { throw NGHTTP2Error(code: Int(rc)) }
        self.pointer = session
    }

    deinit {
        if let pointer { nghttp2_session_del(pointer) }
    }

    static func from(_ userData: UnsafeMutableRawPointer?) -> NGHTTP2Session? {
        guard let userData else { return nil }
        return Unmanaged<NGHTTP2Session>.fromOpaque(userData).takeUnretainedValue()
    }

    // MARK: - Pumping

    /// Feeds received bytes to nghttp2; its callbacks report what they contained.
    func receive(_ bytes: ByteBuffer) -> NGHTTP2Error? {
        guard let pointer, !isBusy else { return .reentrant }
        isBusy = true
        defer { isBusy = false }
        let rc = bytes.withUnsafeReadableBytes { raw -> Int in
            guard let base = raw.baseAddress else { return 0 }
            return nghttp2_session_mem_recv(pointer, base.assumingMemoryBound(to: UInt8.self), raw.count)
        }
        return rc < 0 ? NGHTTP2Error(code: rc) : nil
    }

    /// Appends what nghttp2 wants to send to `buffer`, until it has nothing or `limit` is reached.
    /// The bytes are copied at once: nghttp2's pointer is only valid until its next call.
    func send(into buffer: inout ByteBuffer, limit: Int) -> SendResult {
        guard let pointer, !isBusy else { return .failed(.reentrant) }
        isBusy = true
        defer { isBusy = false }
        while buffer.readableBytes < limit {
            var chunk: UnsafePointer<UInt8>?
            let count = nghttp2_session_mem_send(pointer, &chunk)
            if count < 0 { return .failed(NGHTTP2Error(code: count)) }
            guard count > 0, let chunk else { return .drained }
            buffer.writeBytes(UnsafeRawBufferPointer(start: chunk, count: count))
        }
        return .more
    }

    var wantsRead: Bool { pointer.map { nghttp2_session_want_read($0) != 0 } ?? false }
    var wantsWrite: Bool { pointer.map { nghttp2_session_want_write($0) != 0 } ?? false }
    var lastProcessedStreamID: Int32 { pointer.map { nghttp2_session_get_last_proc_stream_id($0) } ?? 0 }
}
