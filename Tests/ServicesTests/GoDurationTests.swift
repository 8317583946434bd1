import Services
import Testing

@Suite("Go duration strings")
struct GoDurationTests {
    /// Texts Go's `time.ParseDuration` accepts, with the nanoseconds it gives.
    static let accepted: [(text: String, nanoseconds: Int64)] = [
        ("0", 0),
        ("0s", 0),
        ("15s", 15_000_000_000),
        ("1m30s", 90_000_000_000),
        ("500ms", 500_000_000),
        ("2h", 7_200_000_000_000),
        ("1.5s", 1_500_000_000),
        (".5s", 500_000_000),
        ("1.s", 1_000_000_000),
        ("1.5h", 5_400_000_000_000),
        ("10ns", 10),
        ("3us", 3_000),
        ("3µs", 3_000),  // U+00B5 MICRO SIGN
        ("3μs", 3_000),  // U+03BC GREEK SMALL LETTER MU
        ("1h2m3s4ms5us6ns", 3_723_004_005_006),
        ("1s1s", 2_000_000_000),
        ("0.000000001s", 1),
        ("0.0000000019s", 1),  // truncated below a nanosecond, as Go does
        ("1.000000000000000000001h", 3_600_000_000_000),
        ("2562047h47m16.854775807s", Int64.max),
        ("9223372036854775807ns", Int64.max),
    ]

    @Test("parses what Go parses", arguments: accepted)
    func parses(_ example: (text: String, nanoseconds: Int64)) throws {
        let parsed = try GoDuration(parsing: example.text)
        #expect(parsed.duration == .nanoseconds(example.nanoseconds))
    }

    /// Texts we refuse, with the reason.
    static let refused: [(text: String, reason: GoDuration.ParseError.Reason)] = [
        ("", .empty),
        ("-5s", .negative),
        ("-0", .negative),
        ("+5s", .signed),
        ("15", .missingUnit),
        ("00", .missingUnit),
        ("1h30", .missingUnit),
        ("s", .missingNumber),
        (".s", .missingNumber),
        ("1h.", .missingNumber),
        ("1d", .unknownUnit("d")),
        ("10 s", .unknownUnit(" s")),
        ("1h-5m", .unknownUnit("h-")),
        ("1S", .unknownUnit("S")),
        ("2562047h47m16.854775808s", .overflow),
        ("9223372036854775808ns", .overflow),
        ("99999999999999999999h", .overflow),
        ("5000000h", .overflow),
    ]

    @Test("refuses what is not a non-negative Go duration, naming the text", arguments: refused)
    func refuses(_ example: (text: String, reason: GoDuration.ParseError.Reason)) {
        let error = #expect(throws: GoDuration.ParseError.self) { try GoDuration(parsing: example.text) }
        #expect(error?.text == example.text)
        #expect(error?.reason == example.reason)
        #expect(error?.description.contains("\"\(example.text)\"") == true)
    }

    /// Durations with Go's `Duration.String()` of them.
    static let formatted: [(duration: Duration, text: String)] = [
        (.zero, "0s"),
        (.nanoseconds(1), "1ns"),
        (.nanoseconds(1_100), "1.1µs"),
        (.microseconds(3), "3µs"),
        (.milliseconds(500), "500ms"),
        (.nanoseconds(2_200_000), "2.2ms"),
        (.seconds(1), "1s"),
        (.milliseconds(1_500), "1.5s"),
        (.seconds(15), "15s"),
        (.seconds(90), "1m30s"),
        (.seconds(120), "2m0s"),
        (.seconds(7_200), "2h0m0s"),
        (.nanoseconds(3_723_004_005_006), "1h2m3.004005006s"),
        (.nanoseconds(Int64.max), "2562047h47m16.854775807s"),
        (.milliseconds(-1_500), "-1.5s"),
        (.nanoseconds(-20), "-20ns"),
        (.nanoseconds(1) / 2, "0s"),  // below a nanosecond: truncated
    ]

    @Test("formats as Go's Duration.String()", arguments: formatted)
    func formats(_ example: (duration: Duration, text: String)) {
        #expect(GoDuration(example.duration).description == example.text)
    }

    @Test("what it prints parses back to the same duration", arguments: accepted)
    func roundTrips(_ example: (text: String, nanoseconds: Int64)) throws {
        let parsed = try GoDuration(parsing: example.text)
        #expect(try GoDuration(parsing: parsed.description) == parsed)
    }
}
