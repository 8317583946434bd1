import Foundation
import Logging
import Synchronization
import Testing

@testable import BBSServer

/// The lines a handler wrote, in order.
private final class WrittenLines: Sendable {
    private let lines = Mutex<[String]>([])

    var sink: LogLineSink {
        LogLineSink { line in self.lines.withLock { $0.append(String(decoding: line, as: UTF8.self)) } }
    }
    var all: [String] { lines.withLock { $0 } }
}

/// 2026-12-03T10:00:00.123456789Z.
private let pinnedTime = LogTime(seconds: 1_796_292_000, nanoseconds: 123_456_789)

private func makeLogger(
    _ written: WrittenLines, level: Logger.Level = .info, provider: Logger.MetadataProvider? = nil
) -> Logger {
    Logger(label: "bbs") { label in
        JSONLogHandler(
            label: label, level: level, sink: written.sink, metadataProvider: provider, clock: { pinnedTime })
    }
}

@Suite("JSON log lines")
struct JSONLogHandlerTests {
    @Test("a line is one JSON object: time, level, label and message, then a newline")
    func lineShape() {
        let written = WrittenLines()
        makeLogger(written).info("listening")
        #expect(
            written.all == [
                #"{"time":"2026-12-03T10:00:00.123Z","level":"info","label":"bbs","message":"listening"}"# + "\n"
            ])
    }

    @Test("the logger's, the provider's and the call's metadata merge into top-level fields, sorted, the call winning")
    func metadataMerge() {
        let written = WrittenLines()
        let provider = Logger.MetadataProvider { ["b": "provider", "c": "provider"] }
        var logger = makeLogger(written, provider: provider)
        logger[metadataKey: "a"] = "logger"
        logger[metadataKey: "b"] = "logger"
        logger.warning("merged", metadata: ["c": "call", "d": "\(42)"])
        #expect(
            written.all == [
                #"{"time":"2026-12-03T10:00:00.123Z","level":"warning","label":"bbs","message":"merged","#
                    + #""a":"logger","b":"provider","c":"call","d":"42"}"# + "\n"
            ])
    }

    @Test("nested metadata become JSON arrays and objects, object keys sorted")
    func nestedMetadata() {
        let written = WrittenLines()
        makeLogger(written).info("nested", metadata: ["cells": ["cell-1", "cell-2"], "lrp": ["z": "1", "a": ["x"]]])
        #expect(written.all.first?.hasSuffix(#""cells":["cell-1","cell-2"],"lrp":{"a":["x"],"z":"1"}}"# + "\n") == true)
    }

    @Test("metadata named like a fixed field is written as metadata.<key>, never shadowing it")
    func fixedFieldsCannotBeShadowed() throws {
        let written = WrittenLines()
        makeLogger(written).info("real", metadata: ["message": "fake", "level": "fake"])
        let object = try #require(try parse(written.all.first ?? ""))
        #expect(object["message"] as? String == "real")
        #expect(object["level"] as? String == "info")
        #expect(object["metadata.message"] as? String == "fake")
        #expect(object["metadata.level"] as? String == "fake")
    }

    @Test("an error passed with the event is written as the error field")
    func errorField() throws {
        struct Refused: Error, CustomStringConvertible { var description: String { "lock held by bbs-1" } }
        let written = WrittenLines()
        let handler = JSONLogHandler(label: "bbs", sink: written.sink, clock: { pinnedTime })
        handler.log(
            event: LogEvent(
                level: .error, message: "no lock", error: Refused(), metadata: nil, source: nil, file: #fileID,
                function: #function, line: #line))
        let object = try #require(try parse(written.all.first ?? ""))
        #expect(object["error"] as? String == "lock held by bbs-1")
    }

    @Test(
        "strings are escaped so the line stays one valid JSON line",
        arguments: [
            ("quote \" and backslash \\", #"quote \" and backslash \\"#),
            ("two\nlines\r\tand a tab", #"two\nlines\r\tand a tab"#),
            ("\u{00}\u{01}\u{08}\u{0C}\u{1B}\u{1F}\u{7F}", #"\u0000\u0001\b\f\u001b\u001f\u007f"#),
            ("js\u{2028}line\u{2029}ends", #"js\u2028line\u2029ends"#),
            ("é ✓ 🚀", "é ✓ 🚀"),
            (String(decoding: [0x41, 0xFF, 0xC3, 0x42] as [UInt8], as: UTF8.self), "A\u{FFFD}\u{FFFD}B"),
        ])
    func escaping(raw: String, escaped: String) throws {
        let written = WrittenLines()
        makeLogger(written).info("\(raw)", metadata: [raw: "\(raw)"])
        let line = try #require(written.all.first)
        #expect(line.contains(#""message":"\#(escaped)""#))
        #expect(line.filter { $0 == "\n" || $0 == "\r\n" }.count == 1 && line.hasSuffix("\n"))
        let object = try #require(try parse(line))
        #expect(object["message"] as? String == raw)
        #expect(object[raw] as? String == raw)
    }

    @Test("messages below the handler's level are dropped; a copy's level is its own")
    func levelFiltering() {
        let written = WrittenLines()
        let quiet = makeLogger(written, level: .warning)
        var chatty = quiet
        chatty.logLevel = .debug
        quiet.info("dropped")
        quiet.error("kept")
        chatty.debug("kept too")
        quiet.debug("dropped too")
        #expect(written.all.map { (try? parse($0))?["message"] as? String } == ["kept", "kept too"])
    }

    @Test(
        "the time is RFC 3339 in UTC with milliseconds, truncated",
        arguments: [
            (LogTime(seconds: 0), "1970-01-01T00:00:00.000Z"),
            (LogTime(seconds: 1_709_251_199, nanoseconds: 999_999_999), "2024-02-29T23:59:59.999Z"),
            (pinnedTime, "2026-12-03T10:00:00.123Z"),
            (LogTime(seconds: -1, nanoseconds: 5_000_000), "1969-12-31T23:59:59.005Z"),
            (LogTime(seconds: 4_102_444_800), "2100-01-01T00:00:00.000Z"),
        ])
    func timeFormat(time: LogTime, expected: String) {
        #expect(time.rfc3339 == expected)
    }

    @Test("the real clock's time has the same shape and is now")
    func realClock() throws {
        let text = LogTime.now().rfc3339
        #expect(text.wholeMatch(of: /\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z/) != nil)
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        let date = try #require(formatter.date(from: text))
        #expect(abs(date.timeIntervalSinceNow) < 60)
    }

    @Test("lines written from many threads at once never interleave, even when longer than PIPE_BUF")
    func concurrentWriters() throws {
        var ends: [Int32] = [0, 0]
        try #require(pipe(&ends) == 0)
        #if os(Linux)
            // F_SETPIPE_SZ: the smallest pipe, so every 10 kB line needs several writes and interleaving would show.
            _ = fcntl(ends[1], 1031, 4096)
        #endif
        let reader = PipeReader(descriptor: ends[0])
        let sink = LogLineSink(fileDescriptor: ends[1])
        let padding = String(repeating: "x", count: 10_000)
        let writers = 8
        let linesEach = 40
        DispatchQueue.concurrentPerform(iterations: writers) { writer in
            let logger = Logger(label: "bbs") { JSONLogHandler(label: $0, sink: sink) }
            for sequence in 0..<linesEach {
                logger.info("\(padding)", metadata: ["writer": "\(writer)", "sequence": "\(sequence)"])
            }
        }
        close(ends[1])
        let output = reader.waitForEndOfFile()
        close(ends[0])

        let lines = output.split(separator: UInt8(ascii: "\n"))
        #expect(lines.count == writers * linesEach)
        var seen = Set<String>()
        for line in lines {
            let object = try #require(try JSONSerialization.jsonObject(with: Data(line)) as? [String: Any])
            #expect(object["message"] as? String == padding)
            seen.insert("\(object["writer"] ?? "?")/\(object["sequence"] ?? "?")")
        }
        #expect(seen.count == writers * linesEach)
    }
}

@Suite("--log-level names")
struct LogLevelNameTests {
    @Test(
        "swift-log's names and Diego lager's fatal are accepted in any case",
        arguments: [
            ("trace", Logger.Level.trace), ("debug", .debug), ("INFO", .info), (" notice ", .notice),
            ("warning", .warning), ("error", .error), ("critical", .critical), ("fatal", .critical),
            ("Fatal", .critical),
        ])
    func accepted(name: String, level: Logger.Level) throws {
        #expect(try Logger.Level(logLevelName: name) == level)
    }

    @Test(
        "an unknown name is refused with an error naming it and the accepted ones", arguments: ["verbose", "", "warn"])
    func refused(name: String) {
        #expect(throws: LogLevelError(value: name)) { try Logger.Level(logLevelName: name) }
        let message = LogLevelError(value: name).description
        #expect(message.hasPrefix("unknown log level \"\(name)\": "))
        #expect(message.contains("trace, debug, info, notice, warning, error, critical"))
    }
}

// MARK: - Helpers

private func parse(_ line: String) throws -> [String: Any]? {
    try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
}

/// Reads a pipe to its end on a thread of its own, so writers blocked on a full pipe always make progress.
private final class PipeReader: Sendable {
    private let received = ByteBox()
    private let finished = DispatchSemaphore(value: 0)

    init(descriptor: Int32) {
        let thread = Thread { [received, finished] in
            var chunk = [UInt8](repeating: 0, count: 65_536)
            while true {
                let count = chunk.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
                if count > 0 {
                    received.withLock { $0.append(contentsOf: chunk[..<count]) }
                } else if count < 0 && errno == EINTR {
                    continue
                } else {
                    break
                }
            }
            finished.signal()
        }
        thread.start()
    }

    func waitForEndOfFile() -> [UInt8] {
        finished.wait()
        return received.withLock { $0 }
    }
}

/// Bytes behind a lock, shareable with a reader thread.
private final class ByteBox: @unchecked Sendable {
    private let lock = NSLock()
    private var bytes: [UInt8] = []

    func withLock<T>(_ body: (inout [UInt8]) -> T) -> T {
        lock.lock()
        defer { lock.unlock() }
        return body(&bytes)
    }
}
