internal import CNGHTTP2

// MARK: - C callbacks (capture nothing; the session comes back through user data)

extension NGHTTP2Session {
    static func install(_ callbacks: OpaquePointer) {
        nghttp2_session_callbacks_set_on_begin_headers_callback(callbacks) { _, frame, userData in
            guard let frame, let delegate = NGHTTP2Session.from(userData)?.delegate else { return 0 }
            guard UInt32(frame.pointee.hd.type) == NGHTTP2_HEADERS.rawValue else { return 0 }
            let isRequest = frame.pointee.headers.cat == NGHTTP2_HCAT_REQUEST
            delegate.sessionBeginHeaders(streamID: frame.pointee.hd.stream_id, isRequest: isRequest)
            return 0
        }
        nghttp2_session_callbacks_set_on_header_callback(callbacks) {
            session, frame, name, nameLength, value, valueLength, _, userData in
            guard let frame, let delegate = NGHTTP2Session.from(userData)?.delegate else { return 0 }
            guard UInt32(frame.pointee.hd.type) == NGHTTP2_HEADERS.rawValue else { return 0 }
            let streamID = frame.pointee.hd.stream_id
            let refusal = delegate.sessionHeader(
                streamID: streamID,
                name: NGHTTP2Session.string(name, nameLength),
                value: NGHTTP2Session.string(value, valueLength))
            guard let refusal else { return 0 }
            // The documented way to reset with our own code from inside this callback.
            nghttp2_submit_rst_stream(session, UInt8(NGHTTP2_FLAG_NONE.rawValue), streamID, refusal)
            return NGHTTP2_ERR_TEMPORAL_CALLBACK_FAILURE.rawValue
        }
        nghttp2_session_callbacks_set_on_frame_recv_callback(callbacks) { _, frame, userData in
            guard let frame, let delegate = NGHTTP2Session.from(userData)?.delegate else { return 0 }
            NGHTTP2Session.frameReceived(frame.pointee, delegate: delegate)
            return 0
        }
        nghttp2_session_callbacks_set_on_data_chunk_recv_callback(callbacks) {
            _, _, streamID, data, length, userData in
            guard let delegate = NGHTTP2Session.from(userData)?.delegate else { return 0 }
            delegate.sessionDataChunk(streamID: streamID, bytes: UnsafeRawBufferPointer(start: data, count: length))
            return 0
        }
        nghttp2_session_callbacks_set_on_frame_send_callback(callbacks) { _, frame, userData in
            guard let frame, frame.pointee.hd.flags & UInt8(NGHTTP2_FLAG_END_STREAM.rawValue) != 0 else { return 0 }
            let type = UInt32(frame.pointee.hd.type)
            if type == NGHTTP2_HEADERS.rawValue || type == NGHTTP2_DATA.rawValue {
                NGHTTP2Session.from(userData)?.delegate?.sessionEndStreamSent(streamID: frame.pointee.hd.stream_id)
            }
            return 0
        }
        nghttp2_session_callbacks_set_on_stream_close_callback(callbacks) { _, streamID, errorCode, userData in
            NGHTTP2Session.from(userData)?.delegate?.sessionStreamClosed(streamID: streamID, errorCode: errorCode)
            return 0
        }
        nghttp2_session_callbacks_set_on_frame_not_send_callback(callbacks) { _, frame, _, userData in
            guard let frame, let delegate = NGHTTP2Session.from(userData)?.delegate else { return 0 }
            // A request whose HEADERS never left (GOAWAY received, stream ids exhausted) never opens,
            // so nghttp2 reports no stream close for it.
            if UInt32(frame.pointee.hd.type) == NGHTTP2_HEADERS.rawValue,
                frame.pointee.headers.cat == NGHTTP2_HCAT_REQUEST
            {
                delegate.sessionRequestNotSent(streamID: frame.pointee.hd.stream_id)
            }
            return 0
        }
    }

    private static func frameReceived(_ frame: nghttp2_frame, delegate: any NGHTTP2SessionDelegate) {
        let endStream = frame.hd.flags & UInt8(NGHTTP2_FLAG_END_STREAM.rawValue) != 0
        switch UInt32(frame.hd.type) {
        case NGHTTP2_HEADERS.rawValue:
            delegate.sessionHeadersComplete(streamID: frame.hd.stream_id, endStream: endStream)
        case NGHTTP2_DATA.rawValue:
            delegate.sessionDataComplete(streamID: frame.hd.stream_id, endStream: endStream)
        case NGHTTP2_GOAWAY.rawValue:
            delegate.sessionGoAwayReceived(
                lastStreamID: frame.goaway.last_stream_id, errorCode: frame.goaway.error_code)
        case NGHTTP2_PING.rawValue where frame.hd.flags & UInt8(NGHTTP2_FLAG_ACK.rawValue) != 0:
            delegate.sessionPingAcknowledged()
        default:
            break
        }
    }

    private static func string(_ bytes: UnsafePointer<UInt8>?, _ count: Int) -> String {
        String(decoding: UnsafeBufferPointer(start: bytes, count: count), as: UTF8.self)
    }
}

// MARK: - Header blocks

extension NGHTTP2Session {
    /// Whether nghttp2 would accept these fields on the wire (names lower-cased first).
    static func isValid(_ headers: HTTP2Headers) -> Bool {
        headers.allSatisfy { field in
            var name = Array(field.name.lowercased().utf8)
            var value = Array(field.value.utf8)
            return nghttp2_check_header_name(&name, name.count) != 0
                && nghttp2_check_header_value(&value, value.count) != 0
        }
    }

    /// Calls `body` with an `nghttp2_nv` array for `headers`. Names are lower-cased; nghttp2 copies
    /// names and values (NGHTTP2_NV_FLAG_NONE), so the temporary storage is enough.
    static func withNameValues<R>(
        _ headers: HTTP2Headers, _ body: (UnsafePointer<nghttp2_nv>?, Int) -> R
    ) -> R {
        var storage: [UInt8] = []
        var spans: [(name: Int, nameLength: Int, value: Int, valueLength: Int)] = []
        for field in headers {
            let name = storage.count
            storage.append(contentsOf: field.name.lowercased().utf8)
            let value = storage.count
            storage.append(contentsOf: field.value.utf8)
            spans.append((name, value - name, value, storage.count - value))
        }
        storage.append(0)  // never empty, so there is always a base address
        return storage.withUnsafeMutableBufferPointer { bytes in
            guard let base = bytes.baseAddress else { return body(nil, 0) }
            let nva = spans.map { span in
                nghttp2_nv(
                    name: base + span.name, value: base + span.value,
                    namelen: span.nameLength, valuelen: span.valueLength,
                    flags: UInt8(NGHTTP2_NV_FLAG_NONE.rawValue))
            }
            return nva.withUnsafeBufferPointer { body($0.baseAddress, $0.count) }
        }
    }
}
