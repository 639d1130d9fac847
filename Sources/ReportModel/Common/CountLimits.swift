/// The largest counts Rua takes from a report. No real report comes near them (the busiest sources send
/// millions of messages a day); a larger value comes from an attack or a broken generator, and its report
/// is rejected with the reason rather than stored as a different number. With them, sums of stored counts
/// stay far below 2^63: reaching it would take some nine million reports at the limit.
public enum CountLimits {
    /// Messages of one DMARC record; sessions of one TLS policy summary or failure detail.
    public static let perValue: Int64 = 10_000_000_000
    /// Messages (or TLS sessions) of one report altogether.
    public static let perReport: Int64 = 1_000_000_000_000

}

/// The instants Rua takes from a report or the environment: from 1970 to the end of year 9999, the range
/// every output format (ISO 8601 with four-digit years) can write. Anything outside is refused.
public enum TimeLimits {
    public static let earliest: Int64 = 0
    /// 9999-12-31T23:59:59Z.
    public static let latest: Int64 = 253_402_300_799

    public static func contains(_ seconds: Int64) -> Bool { seconds >= earliest && seconds <= latest }
}

extension Int64 {
    /// The number with thousands separators: `10,000,000,000`.
    public var grouped: String {
        let digits = String(magnitude)
        var out = ""
        for (index, digit) in digits.enumerated() {
            if index > 0 && (digits.count - index) % 3 == 0 { out.append(",") }
            out.append(digit)
        }
        return self < 0 ? "-" + out : out
    }

    /// `self + other`, held at the largest (or smallest) value instead of trapping: totals over stored
    /// counts, which the import bounds, but which a database written otherwise must not turn into a crash.
    @inlinable public func saturatingAdd(_ other: Int64) -> Int64 {
        let (sum, overflow) = addingReportingOverflow(other)
        return overflow ? (other > 0 ? .max : .min) : sum
    }
}

extension Int64 {
    /// `value` rounded to the nearest integer and held within Int64's range (NaN is 0): totals summed as
    /// floating point (SQLite's TOTAL, apportioned days) become counts without a trap.
    @inlinable public init(saturating value: Double) {
        let rounded = value.rounded()
        if rounded.isNaN {
            self = 0
        } else if rounded >= 9_223_372_036_854_775_807.0 {
            self = .max
        } else if rounded <= -9_223_372_036_854_775_808.0 {
            self = .min
        } else {
            self = Int64(rounded)
        }
    }
}
