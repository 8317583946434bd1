/// The `grpc-timeout` header: at most 8 digits and a unit (H, M, S, m, u, n).
///
/// Exists so the server turns a client's timeout into a deadline and the client writes one the
/// same way every gRPC implementation reads it.
public struct GRPCTimeout: Sendable, Hashable, CustomStringConvertible {
    public let duration: Duration
    /// The header value, e.g. `100m`.
    public let headerValue: String

    /// Parses a header value; nil for anything not `1*8DIGIT unit`.
    public init?(headerValue: String) {
        let utf8 = headerValue.utf8
        guard utf8.count >= 2, utf8.count <= 9, let unit = utf8.last else { return nil }
        var amount: Int64 = 0
        for byte in utf8.dropLast() {
            guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else { return nil }
            amount = amount * 10 + Int64(byte - UInt8(ascii: "0"))
        }
        switch unit {
        case UInt8(ascii: "H"): duration = .seconds(amount * 3600)
        case UInt8(ascii: "M"): duration = .seconds(amount * 60)
        case UInt8(ascii: "S"): duration = .seconds(amount)
        case UInt8(ascii: "m"): duration = .milliseconds(amount)
        case UInt8(ascii: "u"): duration = .microseconds(amount)
        case UInt8(ascii: "n"): duration = .nanoseconds(amount)
        default: return nil
        }
        self.headerValue = headerValue
    }

    /// The shortest header value for `duration`, rounded up to the next unit when it does not fit
    /// in 8 digits (so a timeout is never shortened). Negative durations become `0n`.
    public init(duration: Duration) {
        let (seconds, attoseconds) = duration.components
        if seconds < 0 || (seconds == 0 && attoseconds <= 0) {
            self.duration = .zero
            self.headerValue = "0n"
            return
        }
        let maxAmount: Int64 = 99_999_999
        // Total nanoseconds, rounded up; saturating for very long durations.
        let nanos = seconds.multipliedReportingOverflow(by: 1_000_000_000)
        let fraction = (attoseconds + 999_999_999) / 1_000_000_000
        let units: [(Int64, UInt8, (Int64) -> Duration)] = [
            (1, UInt8(ascii: "n"), { .nanoseconds($0) }),
            (1_000, UInt8(ascii: "u"), { .microseconds($0) }),
            (1_000_000, UInt8(ascii: "m"), { .milliseconds($0) }),
            (1_000_000_000, UInt8(ascii: "S"), { .seconds($0) }),
            (60_000_000_000, UInt8(ascii: "M"), { .seconds($0 * 60) }),
            (3_600_000_000_000, UInt8(ascii: "H"), { .seconds($0 * 3600) }),
        ]
        if !nanos.overflow {
            let total = nanos.partialValue + fraction
            for (size, unit, make) in units {
                let amount = (total + size - 1) / size
                if amount <= maxAmount {
                    self.duration = make(amount)
                    self.headerValue = String(amount) + String(decoding: [unit], as: UTF8.self)
                    return
                }
            }
        } else {
            let hours = (seconds + 3599) / 3600
            if hours <= maxAmount {
                self.duration = .seconds(hours * 3600)
                self.headerValue = "\(hours)H"
                return
            }
        }
        self.duration = .seconds(maxAmount * 3600)
        self.headerValue = "\(maxAmount)H"
    }

    public var description: String { headerValue }
}
