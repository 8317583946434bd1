internal import CNGHTTP2

// MARK: - Submitting frames (queued by nghttp2, written by the next `send`)

extension NGHTTP2Session {
    /// A result code: nil on success.
    private func check(_ rc: Int32) -> NGHTTP2Error? { rc < 0 ? NGHTTP2Error(code: Int(rc)) : nil }

    private static let dataProvider: nghttp2_data_provider = {
        var provider = nghttp2_data_provider()
        provider.read_callback = { _, streamID, buf, length, flags, _, userData in
            guard let session = NGHTTP2Session.from(userData), let buf, let flags else {
                return Int(NGHTTP2_ERR_TEMPORAL_CALLBACK_FAILURE.rawValue)
            }
            return session.readData(streamID: streamID, buf: buf, length: length, flags: flags)
        }
        return provider
    }()

    /// Copies body bytes for nghttp2 (inside `send`); sends trailers when the body ends with them.
    private func readData(
        streamID: Int32, buf: UnsafeMutablePointer<UInt8>, length: Int, flags: UnsafeMutablePointer<UInt32>
    ) -> Int {
        guard let delegate else { return Int(NGHTTP2_ERR_TEMPORAL_CALLBACK_FAILURE.rawValue) }
        let window = UnsafeMutableRawBufferPointer(start: buf, count: length)
        switch delegate.sessionReadData(streamID: streamID, into: window) {
        case .deferred:
            return Int(NGHTTP2_ERR_DEFERRED.rawValue)
        case .failed:
            return Int(NGHTTP2_ERR_TEMPORAL_CALLBACK_FAILURE.rawValue)
        case .bytes(let count, .continues):
            return count
        case .bytes(let count, .endStream):
            flags.pointee |= NGHTTP2_DATA_FLAG_EOF.rawValue
            return count
        case .bytes(let count, .trailers(let trailers)):
            flags.pointee |= NGHTTP2_DATA_FLAG_EOF.rawValue | NGHTTP2_DATA_FLAG_NO_END_STREAM.rawValue
            // nghttp2 allows submitting trailers from inside the read callback.
            let rc = Self.withNameValues(trailers) { nva, count in
                nghttp2_submit_trailer(pointer, streamID, nva, count)
            }
            return rc < 0 ? Int(NGHTTP2_ERR_TEMPORAL_CALLBACK_FAILURE.rawValue) : count
        }
    }

    /// Advertises our SETTINGS and opens the connection receive window to `connectionWindow`.
    func submitSettings(_ entries: [(id: Int32, value: UInt32)], connectionWindow: UInt32) -> NGHTTP2Error? {
        guard let pointer = pointer else { return .reentrant }
        let settings = entries.map { nghttp2_settings_entry(settings_id: $0.id, value: $0.value) }
        let flags = UInt8(NGHTTP2_FLAG_NONE.rawValue)
        if let error = check(nghttp2_submit_settings(pointer, flags, settings, settings.count)) {
            return error
        }
        return check(nghttp2_session_set_local_window_size(
            pointer, UInt8(NGHTTP2_FLAG_NONE.rawValue), 0, Int32(clamping: connectionWindow)))
    }

    /// Server: response headers; with a body (DATA pulled from the delegate) or alone with END_STREAM.
    func submitResponse(streamID: Int32, _ headers: HTTP2Headers, hasBody: Bool) -> NGHTTP2Error? {
        guard let pointer = pointer else { return .reentrant }
        return check(Self.withNameValues(headers) { nva, count in
            if hasBody {
                var provider = Self.dataProvider
                return nghttp2_submit_response(pointer, streamID, nva, count, &provider)
            }
            return nghttp2_submit_response(pointer, streamID, nva, count, nil)
        })
    }

    /// Client: request headers; returns the new stream's id or the error.
    func submitRequest(_ headers: HTTP2Headers, hasBody: Bool) -> Result<Int32, NGHTTP2Error> {
        guard let pointer = pointer else { return .failure(.reentrant) }
        let rc = Self.withNameValues(headers) { nva, count in
            if hasBody {
                var provider = Self.dataProvider
                return nghttp2_submit_request(pointer, nil, nva, count, &provider, nil)
            }
            return nghttp2_submit_request(pointer, nil, nva, count, nil, nil)
        }
        return rc < 0 ? .failure(NGHTTP2Error(code: Int(rc))) : .success(rc)
    }

    /// Moves a deferred DATA source back into nghttp2's send queue (harmless if it was not deferred).
    func resumeData(streamID: Int32) {
        guard let pointer = pointer else { return }
        _ = nghttp2_session_resume_data(pointer, streamID)
    }

    func submitReset(streamID: Int32, errorCode: UInt32) -> NGHTTP2Error? {
        guard let pointer = pointer else { return .reentrant }
        return check(nghttp2_submit_rst_stream(pointer, UInt8(NGHTTP2_FLAG_NONE.rawValue), streamID, errorCode))
    }

    /// Returns receive window for DATA the layer above has processed (stream and connection).
    func consume(streamID: Int32, bytes: Int) {
        guard let pointer = pointer, bytes > 0 else { return }
        _ = nghttp2_session_consume(pointer, streamID, bytes)
    }

    /// Returns connection receive window for DATA of a stream that closed before it was consumed.
    func consumeConnection(bytes: Int) {
        guard let pointer = pointer, bytes > 0 else { return }
        _ = nghttp2_session_consume_connection(pointer, bytes)
    }

    /// Server: the first GOAWAY of a graceful shutdown (last stream id 2^31-1).
    func submitShutdownNotice() -> NGHTTP2Error? {
        guard let pointer = pointer else { return .reentrant }
        return check(nghttp2_submit_shutdown_notice(pointer))
    }

    func submitGoAway(lastStreamID: Int32, errorCode: UInt32) -> NGHTTP2Error? {
        guard let pointer = pointer else { return .reentrant }
        return check(nghttp2_submit_goaway(pointer, UInt8(NGHTTP2_FLAG_NONE.rawValue), lastStreamID, errorCode, nil, 0))
    }

    func submitPing() -> NGHTTP2Error? {
        guard let pointer = pointer else { return .reentrant }
        return check(nghttp2_submit_ping(pointer, UInt8(NGHTTP2_FLAG_NONE.rawValue), nil))
    }

    /// Queues a GOAWAY with `errorCode` after which nghttp2 wants neither to read nor to write.
    func terminate(errorCode: UInt32) {
        guard let pointer = pointer else { return }
        _ = nghttp2_session_terminate_session(pointer, errorCode)
    }
}

// MARK: - Settings identifiers

extension NGHTTP2Session {
    static func settingsEntries(_ settings: HTTP2Settings) -> [(id: Int32, value: UInt32)] {
        [
            (Int32(NGHTTP2_SETTINGS_MAX_CONCURRENT_STREAMS.rawValue), settings.maxConcurrentStreams),
            (Int32(NGHTTP2_SETTINGS_INITIAL_WINDOW_SIZE.rawValue), settings.initialWindowSize),
            (Int32(NGHTTP2_SETTINGS_MAX_FRAME_SIZE.rawValue), settings.maxFrameSize),
            (Int32(NGHTTP2_SETTINGS_MAX_HEADER_LIST_SIZE.rawValue), settings.maxHeaderListSize),
            (Int32(NGHTTP2_SETTINGS_ENABLE_PUSH.rawValue), 0),
        ]
    }
}
