import NIOCore

extension TLSHandler {
    /// The lifecycle of one TLS connection: handshaking → established → closing → closed.
    ///
    /// Exists so every decision (buffer a write or encrypt it, accept the handshake or refuse it,
    /// what a close means in each state) is a plain, channel-free function that tests can drive.
    /// It does no I/O and holds no OpenSSL state: `TLSHandler` performs the returned actions.
    struct StateMachine {
        /// A plaintext write made before the handshake finished.
        struct BufferedWrite {
            var data: ByteBuffer
            var promise: EventLoopPromise<Void>?
        }

        enum State: Equatable {
            /// Waiting for the handshake to finish; `started` once `SSL_do_handshake` was first called.
            case handshaking(started: Bool)
            case established
            /// We sent (or are sending) close_notify and closed, or failed; waiting for inactive.
            case closing
            case closed
        }

        private(set) var state: State = .handshaking(started: false)
        private var bufferedWrites: [BufferedWrite] = []
        private var flushedDuringHandshake = false
        /// The ALPN protocols we accept.
        let applicationProtocols: [String]

        init(applicationProtocols: [String]) {
            self.applicationProtocols = applicationProtocols
        }

        // MARK: Starting

        enum StartAction: Equatable {
            case startHandshake
            case none
        }

        /// The channel is active (or the handler was added to an active channel).
        mutating func channelActive() -> StartAction {
            guard case .handshaking(started: false) = state else { return .none }
            state = .handshaking(started: true)
            return .startHandshake
        }

        // MARK: Reading

        enum ReadAction: Equatable {
            /// Feed the ciphertext to OpenSSL and continue the handshake.
            case continueHandshake
            /// Feed the ciphertext to OpenSSL and read plaintext.
            case readPlaintext
            /// We are closing: drop it.
            case discard
        }

        mutating func channelRead() -> ReadAction {
            switch state {
            case .handshaking:
                state = .handshaking(started: true)
                return .continueHandshake
            case .established:
                return .readPlaintext
            case .closing, .closed:
                return .discard
            }
        }

        /// Whether plaintext may still be read and forwarded (the reader above may have closed us).
        var canForwardPlaintext: Bool { state == .established }

        // MARK: Handshake outcome

        enum HandshakeAction {
            /// Fire `event`, then encrypt `writes` in order (and flush if `flush`), then read plaintext.
            case established(TLSEstablished, writes: [BufferedWrite], flush: Bool)
            /// Send what OpenSSL queued (an alert), fire `error`, fail `writes`, close.
            case refuse(TLSError, writes: [BufferedWrite])
            /// Already closing: nothing to do.
            case none
        }

        /// OpenSSL finished the handshake; accept it only with an agreed ALPN protocol and a verified peer.
        mutating func handshakeCompleted(
            applicationProtocol: String?, peer: TLSPeerIdentity?, protocolVersion: String
        ) -> HandshakeAction {
            guard case .handshaking = state else { return .none }
            guard let applicationProtocol, applicationProtocols.contains(applicationProtocol) else {
                return .refuse(.noApplicationProtocol(offered: applicationProtocols), writes: takeBufferedWrites(closing: true))
            }
            guard let peer else {
                return .refuse(.noPeerCertificate, writes: takeBufferedWrites(closing: true))
            }
            state = .established
            let flush = flushedDuringHandshake
            let writes = takeBufferedWrites(closing: false)
            let event = TLSEstablished(applicationProtocol: applicationProtocol, peer: peer, protocolVersion: protocolVersion)
            return .established(event, writes: writes, flush: flush)
        }

        enum FailureAction {
            /// Send what OpenSSL queued (an alert), fire `error`, fail `writes`, close.
            case fail(TLSError, writes: [BufferedWrite])
            /// Already closing or closed: nothing more to say.
            case none
        }

        /// OpenSSL reported a fatal error (handshake, read or write).
        mutating func failed(_ error: TLSError) -> FailureAction {
            switch state {
            case .handshaking, .established:
                return .fail(error, writes: takeBufferedWrites(closing: true))
            case .closing, .closed:
                return .none
            }
        }

        // MARK: Writing

        enum WriteAction {
            /// Encrypt now.
            case encrypt
            /// Kept until the handshake finishes.
            case buffered
            /// Fail the write's promise with `error`.
            case fail(TLSError)
        }

        mutating func write(_ data: ByteBuffer, promise: EventLoopPromise<Void>?) -> WriteAction {
            switch state {
            case .handshaking:
                bufferedWrites.append(BufferedWrite(data: data, promise: promise))
                return .buffered
            case .established:
                return .encrypt
            case .closing, .closed:
                return .fail(.closed)
            }
        }

        enum FlushAction: Equatable {
            /// Send everything encrypted so far, as one write.
            case flush
            /// Remembered until the handshake finishes (or nothing to send).
            case none
        }

        mutating func flush() -> FlushAction {
            switch state {
            case .handshaking:
                flushedDuringHandshake = true
                return .none
            case .established:
                return .flush
            case .closing, .closed:
                return .none
            }
        }

        // MARK: Closing

        enum CloseAction {
            /// Queue close_notify, send it, then close the channel (completing `promise`).
            case sendCloseNotifyAndClose
            /// Close without close_notify (the handshake never finished), failing `writes`.
            case close(failing: [BufferedWrite])
            /// Already closing: pass the close on so its promise completes.
            case forward
        }

        /// The pipeline above asked to close.
        mutating func close() -> CloseAction {
            switch state {
            case .handshaking:
                return .close(failing: takeBufferedWrites(closing: true))
            case .established:
                state = .closing
                return .sendCloseNotifyAndClose
            case .closing, .closed:
                return .forward
            }
        }

        /// The peer sent close_notify: answer with ours and close.
        mutating func closeNotifyReceived() -> CloseAction {
            switch state {
            case .handshaking, .established:
                state = .closing
                return .sendCloseNotifyAndClose
            case .closing, .closed:
                return .forward
            }
        }

        enum InactiveAction {
            /// The connection went away mid-handshake: fire `error`, fail `writes`.
            case failHandshake(TLSError, writes: [BufferedWrite])
            case none
        }

        mutating func channelInactive() -> InactiveAction {
            let previous = state
            let writes = takeBufferedWrites(closing: true)
            state = .closed
            if case .handshaking = previous {
                return .failHandshake(.closedDuringHandshake, writes: writes)
            }
            return .none
        }

        private mutating func takeBufferedWrites(closing: Bool) -> [BufferedWrite] {
            if closing { state = .closing }
            defer { bufferedWrites = []; flushedDuringHandshake = false }
            return bufferedWrites
        }
    }
}
