import Logging

/// A swift-log handler that writes each message as one JSON object on one line:
///
///     {"time":"2026-12-03T10:00:00.123Z","level":"info","label":"bbs","message":"listening","port":"8889"}
///
/// Exists because bbs's logs are read by machines (log shippers, `jq`) as much as by people, the way
/// Diego's lager output is. The fixed fields come first in this order: `time` (UTC, milliseconds),
/// `level`, `label`, `message`, and `error` when the call passed one; then the metadata, sorted by key.
/// Metadata merges the handler's own, then the metadata provider's, then the call's (later wins);
/// strings stay strings, nested dictionaries and arrays become JSON objects and arrays. A metadata key
/// that names a fixed field is written as `metadata.<key>` so it can never shadow it.
///
/// A value type as swift-log requires (changing one logger's level or metadata leaves its copies alone);
/// the copies share one `LogLineSink`, which keeps concurrent lines whole.
package struct JSONLogHandler: LogHandler {
    /// The logger's label (`Logger(label:)`), written as `label`.
    package let label: String
    /// Messages below this level are dropped by `Logger` before they reach the handler.
    package var logLevel: Logger.Level
    /// The logger's own metadata, merged under the provider's and the call's.
    package var metadata: Logger.Metadata = [:]
    /// Contextual metadata (for example task-local request ids), merged over `metadata`.
    package var metadataProvider: Logger.MetadataProvider?

    private let sink: LogLineSink
    private let clock: @Sendable () -> LogTime

    /// A handler for `label` writing to `sink` (standard error unless a test gives its own).
    package init(
        label: String,
        level: Logger.Level = .info,
        sink: LogLineSink = .standardError,
        metadataProvider: Logger.MetadataProvider? = nil,
        clock: @escaping @Sendable () -> LogTime = LogTime.now
    ) {
        self.label = label
        self.logLevel = level
        self.sink = sink
        self.metadataProvider = metadataProvider
        self.clock = clock
    }

    /// Makes every `Logger` of the process write JSON lines at `level` to `sink`.
    ///
    /// swift-log allows this once per process; call it first thing in the executable, never in tests.
    package static func bootstrap(
        level: Logger.Level, sink: LogLineSink = .standardError, metadataProvider: Logger.MetadataProvider? = nil
    ) {
        LoggingSystem.bootstrap(
            { label, provider in JSONLogHandler(label: label, level: level, sink: sink, metadataProvider: provider) },
            metadataProvider: metadataProvider)
    }

    /// Encodes `event` as one line and hands it to the sink.
    package func log(event: LogEvent) {
        sink.write(line(for: event))
    }

    /// The bytes of the line for `event`, newline included.
    func line(for event: LogEvent) -> [UInt8] {
        var fields = metadata
        if let provided = metadataProvider?.get() { fields.merge(provided) { _, new in new } }
        if let explicit = event.metadata { fields.merge(explicit) { _, new in new } }

        var line = JSONLogLine()
        line.field("time", clock().rfc3339)
        line.field("level", event.level.rawValue)
        line.field("label", label)
        line.field("message", event.message.description)
        if let error = event.error { line.field("error", String(describing: error)) }
        for key in fields.keys.sorted() {
            let name = JSONLogLine.fixedFields.contains(key) ? "metadata.\(key)" : key
            line.field(name, fields[key]!)
        }
        return line.finish()
    }

    /// The value of one metadata key of this handler.
    package subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }
}
