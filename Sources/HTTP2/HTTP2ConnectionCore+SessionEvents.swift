import NIOCore

// MARK: - NGHTTP2SessionDelegate (runs inside nghttp2: record, never call the layer above)

extension HTTP2ConnectionCore: NGHTTP2SessionDelegate {
    func sessionBeginHeaders(streamID: Int32, isRequest: Bool) {
        guard isRequest, case .server(let makeStreamHandler) = role, !streams.contains(streamID) else { return }
        streams.open(streamID, handler: makeStreamHandler(streamID, connection))
    }

    func sessionHeader(streamID: Int32, name: String, value: String) -> UInt32? {
        streams.appendHeader(streamID, name: name, value: value) ? nil : HTTP2ErrorCode.enhanceYourCalm
    }

    func sessionHeadersComplete(streamID: Int32, endStream: Bool) {
        guard let headers = streams.takeHeaders(streamID), let handler = streams.handler(for: streamID) else { return }
        events.append((handler, streamID, .headers(headers, endStream: endStream)))
    }

    func sessionDataChunk(streamID: Int32, bytes: UnsafeRawBufferPointer) {
        // DATA for a stream nobody tracks is consumed at once, or it would hold the connection window.
        if !streams.appendData(streamID, bytes: bytes) { connectionCredit += bytes.count }
    }

    func sessionDataComplete(streamID: Int32, endStream: Bool) {
        guard let data = streams.takeData(streamID), let handler = streams.handler(for: streamID) else { return }
        events.append((handler, streamID, .data(data, endStream: endStream)))
    }

    func sessionStreamClosed(streamID: Int32, errorCode: UInt32) {
        guard let state = streams.close(streamID) else { return }
        connectionCredit += state.unconsumedBytes
        if errorCode != HTTP2ErrorCode.noError, !state.locallyReset {
            events.append((state.handler, streamID, .reset(errorCode: errorCode)))
        }
        events.append((state.handler, streamID, .closed))
    }

    func sessionRequestNotSent(streamID: Int32) {
        sessionStreamClosed(streamID: streamID, errorCode: HTTP2ErrorCode.refusedStream)
    }

    func sessionGoAwayReceived(lastStreamID: Int32, errorCode: UInt32) {
        noteGoAwayReceived()
    }

    func sessionPingAcknowledged() {
        if state.shutdown == .noticeSent { finalGoAwayDue = true }
    }

    func sessionReadData(streamID: Int32, into buffer: UnsafeMutableRawBufferPointer) -> NGHTTP2DataRead {
        streams.read(streamID, into: buffer)
    }

    func sessionEndStreamSent(streamID: Int32) {
        // Only now: nghttp2 marks a stream closing as soon as RST_STREAM is queued, and would then
        // drop trailers still waiting in its queue.
        if let errorCode = streams.takeResetAfterBody(streamID) {
            _ = session.submitReset(streamID: streamID, errorCode: errorCode)
        }
    }
}

// MARK: - Acting on streams (called by HTTP2Connection on the loop)

extension HTTP2ConnectionCore {
    func sendHeaders(streamID: HTTP2StreamID, _ headers: HTTP2Headers, endStream: Bool) {
        guard !isStopped, streams.contains(streamID) else { return }
        guard NGHTTP2Session.isValid(headers) else {
            resetLocally(streamID, errorCode: HTTP2ErrorCode.internalError, tellHandler: true)
            return
        }
        switch streams.headers(streamID, headers, endStream: endStream) {
        case .submitHeaders(let hasBody):
            if session.submitResponse(streamID: streamID, headers, hasBody: hasBody) != nil {
                resetLocally(streamID, errorCode: HTTP2ErrorCode.internalError, tellHandler: true)
            }
        case .resumeForTrailers:
            session.resumeData(streamID: streamID)
        case .trailersQueued, nil:
            break
        case .invalid:
            resetLocally(streamID, errorCode: HTTP2ErrorCode.internalError, tellHandler: true)
        }
        schedulePump()
    }

    func sendData(streamID: HTTP2StreamID, _ data: ByteBuffer, endStream: Bool) {
        guard !isStopped else { return }
        switch streams.enqueue(streamID, data, endStream: endStream) {
        case .resume:
            session.resumeData(streamID: streamID)
        case .queued, nil:
            break
        case .invalid:
            resetLocally(streamID, errorCode: HTTP2ErrorCode.internalError, tellHandler: true)
        }
        schedulePump()
    }

    func queuedBytes(streamID: HTTP2StreamID) -> Int { streams.queuedBytes(for: streamID) }

    func consume(streamID: HTTP2StreamID, bytes: Int) {
        guard !isStopped else { return }
        let credit = streams.consume(streamID, bytes: bytes)
        guard credit > 0 else { return }
        session.consume(streamID: streamID, bytes: credit)
        schedulePump()
    }

    func reset(streamID: HTTP2StreamID, errorCode: UInt32) {
        guard !isStopped else { return }
        if errorCode == HTTP2ErrorCode.noError, streams.deferResetUntilBodyEnds(streamID, errorCode: errorCode) {
            return
        }
        resetLocally(streamID, errorCode: errorCode, tellHandler: false)
    }

    /// Sends RST_STREAM; when the reset is this layer's own decision (bad headers, misuse), the
    /// handler hears `.reset` too. Either way `.closed` follows when nghttp2 closes the stream.
    private func resetLocally(_ streamID: HTTP2StreamID, errorCode: UInt32, tellHandler: Bool) {
        guard streams.markLocallyReset(streamID) else { return }
        if tellHandler, let handler = streams.handler(for: streamID) {
            events.append((handler, streamID, .reset(errorCode: errorCode)))
        }
        if session.submitReset(streamID: streamID, errorCode: errorCode) != nil, let state = streams.close(streamID) {
            // nghttp2 does not know the stream (any more): close it here.
            connectionCredit += state.unconsumedBytes
            events.append((state.handler, streamID, .closed))
        }
        schedulePump()
    }

    func startStream(_ headers: HTTP2Headers, endStream: Bool, handler: any HTTP2StreamHandler) -> HTTP2StreamID? {
        guard case .client = role, isActive, NGHTTP2Session.isValid(headers) else { return nil }
        guard case .success(let streamID) = session.submitRequest(headers, hasBody: !endStream) else { return nil }
        // nghttp2 pulls the body only inside `send`, so registering after submit is in time.
        streams.open(streamID, handler: handler)
        streams.requestSubmitted(streamID, hasBody: !endStream)
        schedulePump()
        return streamID
    }
}
