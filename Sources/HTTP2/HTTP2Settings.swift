/// The SETTINGS a connection advertises, with the limits it enforces.
///
/// Exists so operators can tune concurrency and memory per connection from the executables' flags.
public struct HTTP2Settings: Sendable, Equatable {
    public var maxConcurrentStreams: UInt32 = 256
    public var initialWindowSize: UInt32 = 1 << 20
    /// Connection-level receive window (raised with a WINDOW_UPDATE on stream 0 at start).
    public var connectionWindowSize: UInt32 = 8 << 20
    public var maxFrameSize: UInt32 = 16_384
    public var maxHeaderListSize: UInt32 = 16_384
    /// Outbound bytes queued per stream above which `sendData` callers should wait for `.writable`.
    public var streamHighWatermark: Int = 256 * 1024
    /// Queued bytes below which `.writable` is delivered again.
    public var streamLowWatermark: Int = 64 * 1024

    public init() {}
}
