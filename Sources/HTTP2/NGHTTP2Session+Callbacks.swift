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
        headers.fields.allSatisfy { field in
            var name = field.name
            var value = field.value
            let nameOK = name.withUTF8 { bytes in
                guard bytes.contains(where: Self.isUpperASCII) else {
                    return nghttp2_check_header_name(bytes.baseAddress, bytes.count) != 0
                }
                var lowered = bytes.map(Self.lowerASCII)
                return nghttp2_check_header_name(&lowered, lowered.count) != 0
            }
            return nameOK && value.withUTF8 { nghttp2_check_header_value($0.baseAddress, $0.count) != 0 }
        }
    }

    private static func isUpperASCII(_ byte: UInt8) -> Bool { byte >= 0x41 && byte <= 0x5A }
    private static func lowerASCII(_ byte: UInt8) -> UInt8 { isUpperASCII(byte) ? byte | 0x20 : byte }

    /// Calls `body` with an `nghttp2_nv` array for `headers`. Names are lower-cased (ASCII; other
    /// bytes fail `isValid`); nghttp2 copies names and values (NGHTTP2_NV_FLAG_NONE), so the
    /// temporary storage is enough. One byte array and one stack array per block.
    static func withNameValues<R>(
        _ headers: HTTP2Headers, _ body: (UnsafePointer<nghttp2_nv>?, Int) -> R
    ) -> R {
        var total = 1
        for field in headers.fields { total += field.name.utf8.count + field.value.utf8.count }
        var storage: [UInt8] = []
        storage.reserveCapacity(total)
        for field in headers.fields {
            for byte in field.name.utf8 { storage.append(lowerASCII(byte)) }
            storage.append(contentsOf: field.value.utf8)
        }
        storage.append(0)  // never empty, so there is always a base address
        let count = headers.fields.count
        return storage.withUnsafeMutableBufferPointer { bytes in
            guard let base = bytes.baseAddress else { return body(nil, 0) }
            return withUnsafeTemporaryAllocation(of: nghttp2_nv.self, capacity: max(count, 1)) { nva in
                var offset = 0
                for (index, field) in headers.fields.enumerated() {
                    let nameLength = field.name.utf8.count
                    let valueLength = field.value.utf8.count
                    nva.initializeElement(
                        at: index,
                        to: nghttp2_nv(
                            name: base + offset, value: base + offset + nameLength,
                            namelen: nameLength, valuelen: valueLength,
                            flags: UInt8(NGHTTP2_NV_FLAG_NONE.rawValue)))
                    offset += nameLength + valueLength
                }
                return body(UnsafePointer(nva.baseAddress), count)
            }
        }
    }
}
