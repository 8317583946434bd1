/// A length of time written as Go writes it (`"15s"`, `"1m30s"`, `"500ms"`, `"1.5h"`).
///
/// Exists because Diego's operators and config files spell every interval as a Go duration string
/// (reference §8), so `bbs`'s config file and `bbsctl`'s flags read and print them the same way.
/// Parsing follows Go's `time.ParseDuration` (units `ns`, `us`, `µs`, `μs`, `ms`, `s`, `m`, `h`; a bare
/// `"0"`; fractions such as `"1.5s"`; nanosecond precision, at most about 292 years) except that a
/// sign is refused: nothing of ours takes a negative interval. Formatting follows Go's
/// `Duration.String()` (`"1h30m0s"`, `"1.5s"`, `"500ms"`, `"0s"`), so a parsed value prints back as
/// Go would print it.
public struct GoDuration: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// The length of time.
    public var duration: Duration

    /// Wraps a `Duration` (to print it Go's way).
    public init(_ duration: Duration) {
        self.duration = duration
    }

    /// Parses a Go duration string.
    /// - Throws: `GoDuration.ParseError` naming `text` and what is wrong with it.
    public init(parsing text: String) throws(ParseError) {
        self.init(.nanoseconds(try Self.parseNanoseconds(text)))
    }

    /// Go's `Duration.String()` of `duration` (truncated to whole nanoseconds).
    public var description: String { Self.format(duration) }

    public static func < (lhs: GoDuration, rhs: GoDuration) -> Bool { lhs.duration < rhs.duration }
}

// MARK: - Errors

extension GoDuration {
    /// Why a text is not a duration we accept, with the text itself.
    ///
    /// Exists so a config loader or a flag parser can say exactly which value was wrong
    /// (`description`) and a caller can tell the cases apart without reading the message (`reason`).
    public struct ParseError: Error, Sendable, Equatable, CustomStringConvertible {
        /// What is wrong with the text.
        public enum Reason: Sendable, Equatable {
            /// The text is empty.
            case empty
            /// The text starts with `-`: a negative interval.
            case negative
            /// The text starts with `+`: Go allows it, we ask for the plain form.
            case signed
            /// A component has no digits where its number should be (`"s"`, `"1h."`, `".m"`).
            case missingNumber
            /// A number has no unit after it (`"15"`; only `"0"` may stand alone).
            case missingUnit
            /// A unit that Go does not know, e.g. `"d"`.
            case unknownUnit(String)
            /// More than Go's int64 nanoseconds hold (about 292 years).
            case overflow
        }

        /// The text that was parsed.
        public var text: String
        public var reason: Reason

        public init(text: String, reason: Reason) {
            self.text = text
            self.reason = reason
        }

        static func empty(_ text: String) -> ParseError { ParseError(text: text, reason: .empty) }
        static func negative(_ text: String) -> ParseError { ParseError(text: text, reason: .negative) }
        static func signed(_ text: String) -> ParseError { ParseError(text: text, reason: .signed) }
        static func missingNumber(_ text: String) -> ParseError { ParseError(text: text, reason: .missingNumber) }
        static func missingUnit(_ text: String) -> ParseError { ParseError(text: text, reason: .missingUnit) }
        static func unknownUnit(_ unit: String, in text: String) -> ParseError {
            ParseError(text: text, reason: .unknownUnit(unit))
        }
        static func overflow(_ text: String) -> ParseError { ParseError(text: text, reason: .overflow) }

        public var description: String {
            let problem: String
            switch reason {
            case .empty: problem = "it is empty"
            case .negative: problem = "negative durations are not allowed"
            case .signed: problem = "write it without the sign"
            case .missingNumber: problem = "expected a number before each unit"
            case .missingUnit: problem = "missing unit after the number (ns, us, ms, s, m, h)"
            case .unknownUnit(let unit): problem = "unknown unit \"\(unit)\" (use ns, us, µs, ms, s, m, h)"
            case .overflow: problem = "too long (at most 2562047h47m16.854775807s)"
            }
            return "invalid duration \"\(text)\": \(problem), e.g. \"10s\", \"1m30s\", \"500ms\""
        }
    }
}

// MARK: - Parsing

extension GoDuration {
    /// Nanoseconds per unit, as Go's `unitMap`.
    static let nanosecondsPerUnit: [String: UInt64] = [
        "ns": 1, "us": 1_000, "µs": 1_000, "μs": 1_000, "ms": 1_000_000, "s": 1_000_000_000,
        "m": 60_000_000_000, "h": 3_600_000_000_000,
    ]

    /// Go's `time.ParseDuration` without the sign: a sequence of `number unit` components.
    static func parseNanoseconds(_ text: String) throws(ParseError) -> Int64 {
        var rest = Substring(text)
        switch rest.first {
        case nil: throw .empty(text)
        case "-": throw .negative(text)
        case "+": throw .signed(text)
        default: break
        }
        if rest == "0" { return 0 }
        var total: UInt64 = 0
        while !rest.isEmpty {
            let whole = rest.prefix(while: \.isASCIIDigit)
            rest = rest.dropFirst(whole.count)
            var fraction = Substring()
            if rest.first == "." {
                rest = rest.dropFirst()
                fraction = rest.prefix(while: \.isASCIIDigit)
                rest = rest.dropFirst(fraction.count)
            }
            guard !whole.isEmpty || !fraction.isEmpty else { throw .missingNumber(text) }
            let unitText = rest.prefix(while: { !$0.isASCIIDigit && $0 != "." })
            rest = rest.dropFirst(unitText.count)
            guard !unitText.isEmpty else { throw .missingUnit(text) }
            guard let unit = nanosecondsPerUnit[String(unitText)] else {
                throw .unknownUnit(String(unitText), in: text)
            }
            guard let component = nanoseconds(whole: whole, fraction: fraction, unit: unit) else {
                throw .overflow(text)
            }
            let (sum, overflow) = total.addingReportingOverflow(component)
            guard !overflow, sum <= UInt64(Int64.max) else { throw .overflow(text) }
            total = sum
        }
        return Int64(total)
    }

    /// `whole.fraction` units in nanoseconds (the fraction truncated to whole nanoseconds, as Go
    /// does), or nil past `UInt64`.
    private static func nanoseconds(whole: Substring, fraction: Substring, unit: UInt64) -> UInt64? {
        var value: UInt64 = 0
        for digit in whole {
            let (times10, o1) = value.multipliedReportingOverflow(by: 10)
            let (sum, o2) = times10.addingReportingOverflow(UInt64(digit.asciiValue! - 48))
            guard !o1, !o2 else { return nil }
            value = sum
        }
        let (scaled, overflow) = value.multipliedReportingOverflow(by: unit)
        guard !overflow else { return nil }
        // 18 fraction digits are finer than a nanosecond of an hour; the rest cannot change the result.
        var numerator: UInt64 = 0
        var denominator: UInt64 = 1
        for digit in fraction.prefix(18) {
            numerator = numerator * 10 + UInt64(digit.asciiValue! - 48)
            denominator *= 10
        }
        let product = unit.multipliedFullWidth(by: numerator)
        let part = denominator.dividingFullWidth(product).quotient
        let (sum, overflowSum) = scaled.addingReportingOverflow(part)
        return overflowSum ? nil : sum
    }
}

// MARK: - Formatting

extension GoDuration {
    /// Go's `Duration.String()`: `h`, `m` and fractional `s` from one second up; `ms`, `µs` or `ns`
    /// with a fraction below it; `"0s"` for zero.
    static func format(_ duration: Duration) -> String {
        let (seconds, attoseconds) = duration.components
        // Give both parts the same sign (a Duration built by arithmetic may not), then work on magnitudes.
        var wholeSeconds = seconds
        var nanoseconds = attoseconds / 1_000_000_000
        if wholeSeconds < 0 && nanoseconds > 0 {
            wholeSeconds += 1
            nanoseconds -= 1_000_000_000
        }
        let negative = wholeSeconds < 0 || nanoseconds < 0
        let secondsMagnitude = wholeSeconds.magnitude
        let nanosecondsMagnitude = nanoseconds.magnitude
        let sign = negative ? "-" : ""
        if secondsMagnitude == 0 {
            switch nanosecondsMagnitude {
            case 0: return "0s"
            case ..<1_000: return "\(sign)\(nanosecondsMagnitude)ns"
            case ..<1_000_000: return sign + decimal(nanosecondsMagnitude, scale: 1_000) + "µs"
            default: return sign + decimal(nanosecondsMagnitude, scale: 1_000_000) + "ms"
            }
        }
        let hours = secondsMagnitude / 3600
        let minutes = secondsMagnitude % 3600 / 60
        let secondsText = decimal(secondsMagnitude % 60 * 1_000_000_000 + nanosecondsMagnitude, scale: 1_000_000_000)
        if hours > 0 { return "\(sign)\(hours)h\(minutes)m\(secondsText)s" }
        if minutes > 0 { return "\(sign)\(minutes)m\(secondsText)s" }
        return "\(sign)\(secondsText)s"
    }

    /// `value / scale` with its fraction, trailing zeros (and a bare point) dropped: `1500, 1000 -> "1.5"`.
    private static func decimal(_ value: UInt64, scale: UInt64) -> String {
        let whole = value / scale
        var fraction = value % scale
        guard fraction > 0 else { return "\(whole)" }
        var digits = 0
        var remainingScale = scale
        while remainingScale > 1 {
            remainingScale /= 10
            digits += 1
        }
        while fraction % 10 == 0 {
            fraction /= 10
            digits -= 1
        }
        let fractionText = String(fraction)
        return "\(whole)." + String(repeating: "0", count: digits - fractionText.count) + fractionText
    }
}

extension Character {
    fileprivate var isASCIIDigit: Bool { isASCII && isNumber }
}
