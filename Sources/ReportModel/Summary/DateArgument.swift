import Foundation
import Glibc

/// Reads the date arguments of the report commands: `2026-11-28`, `2026-11-28T12:00:00Z` (or with an
/// offset such as `+01:00`), or a span back from now such as `7d`, `4w`, `12h`, `1m` (30 days).
public enum DateArgument {
    public struct Invalid: Error, CustomStringConvertible, Sendable {
        public let text: String
        public var description: String {
            "'\(text)' is not a date: use YYYY-MM-DD, an ISO-8601 time such as 2026-11-28T00:00:00Z, or 7d, 4w, 12h, 1m"
        }
    }

    /// Epoch seconds UTC.
    /// - Parameters:
    ///   - now: the current time, epoch seconds.
    ///   - endOfDay: for a bare date, the last second of that day instead of its first.
    ///   - timeZone: the zone a bare date's day is in (times carry their own offset).
    public static func parse(
        _ text: String, now: Int64, endOfDay: Bool = false, timeZone: TimeZone = .utc
    ) throws(Invalid) -> Int64 {
        let value = text.trimmingSpaces
        if let span = relative(value) { return now - span }
        let bytes = Array(value.utf8)
        guard bytes.count >= 10, let date = day(bytes) else { throw Invalid(text: text) }
        if bytes.count == 10 { return bareDate(midnightUTC: date, in: timeZone, endOfDay: endOfDay) }
        guard bytes[10] == UInt8(ascii: "T") || bytes[10] == UInt8(ascii: " "), bytes.count >= 19,
            let hour = number(bytes, 11, 2), let minute = number(bytes, 14, 2), let second = number(bytes, 17, 2),
            hour < 24, minute < 60, second < 61
        else { throw Invalid(text: text) }
        var index = 19
        if index < bytes.count, bytes[index] == UInt8(ascii: ".") {
            index += 1
            while index < bytes.count, (0x30...0x39).contains(bytes[index]) { index += 1 }
        }
        var offset: Int64 = 0
        if index < bytes.count {
            let sign = bytes[index]
            if sign == UInt8(ascii: "Z") || sign == UInt8(ascii: "z"), index + 1 == bytes.count {
                offset = 0
            } else if sign == UInt8(ascii: "+") || sign == UInt8(ascii: "-"), bytes.count == index + 6,
                let hours = number(bytes, index + 1, 2), let minutes = number(bytes, index + 4, 2)
            {
                offset = (hours * 3600 + minutes * 60) * (sign == UInt8(ascii: "+") ? 1 : -1)
            } else {
                throw Invalid(text: text)
            }
        }
        return date + hour * 3600 + minute * 60 + second - offset
    }

    /// The first (or last) second of the calendar date that begins at `midnightUTC` in UTC, taken as a
    /// day in `zone`: its own length on daylight-saving days.
    private static func bareDate(midnightUTC: Int64, in zone: TimeZone, endOfDay: Bool) -> Int64 {
        let calendar = Calendar.in(zone)
        let parts = Calendar.in(.utc).dateComponents([.year, .month, .day], from: Date(seconds: midnightUTC))
        guard let first = calendar.date(from: parts), let next = calendar.date(byAdding: .day, value: 1, to: first)
        else { return midnightUTC + (endOfDay ? 86_399 : 0) }
        return endOfDay ? next.seconds - 1 : first.seconds
    }

    private static func relative(_ value: String) -> Int64? {
        guard let unit = value.last, let count = Int64(value.dropLast()), count >= 0 else { return nil }
        let seconds: Int64
        switch unit {
        case "h": seconds = 3600
        case "d": seconds = 86_400
        case "w": seconds = 7 * 86_400
        case "m": seconds = 30 * 86_400
        default: return nil
        }
        // A span longer than the calendar Rua handles is no span (and must not overflow).
        let (span, overflow) = count.multipliedReportingOverflow(by: seconds)
        return overflow || span > TimeLimits.latest ? nil : span
    }

    /// Midnight UTC of `YYYY-MM-DD` at the start of `bytes`.
    private static func day(_ bytes: [UInt8]) -> Int64? {
        guard bytes[4] == UInt8(ascii: "-"), bytes[7] == UInt8(ascii: "-"),
            let year = number(bytes, 0, 4), let month = number(bytes, 5, 2), let day = number(bytes, 8, 2),
            (1...12).contains(month), (1...31).contains(day)
        else { return nil }
        var parts = tm()
        parts.tm_year = Int32(year - 1900)
        parts.tm_mon = Int32(month - 1)
        parts.tm_mday = Int32(day)
        let seconds = Int64(timegm(&parts))
        // timegm normalises 2026-02-31 to March; reject such dates.
        guard parts.tm_mday == Int32(day) else { return nil }
        return seconds
    }

    private static func number(_ bytes: [UInt8], _ start: Int, _ length: Int) -> Int64? {
        guard start + length <= bytes.count else { return nil }
        var value: Int64 = 0
        for byte in bytes[start..<(start + length)] {
            guard (0x30...0x39).contains(byte) else { return nil }
            value = value * 10 + Int64(byte - 0x30)
        }
        return value
    }
}

extension String {
    fileprivate var trimmingSpaces: String {
        String(drop(while: { $0 == " " }).reversed().drop(while: { $0 == " " }).reversed())
    }
}
