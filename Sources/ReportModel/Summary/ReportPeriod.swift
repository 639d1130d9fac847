import Foundation

/// A span of time the report commands cover: `[start, end)` in epoch seconds, with the time zone its
/// days are counted in. A report belongs to it when its range begins in it.
public struct ReportPeriod: Hashable, Sendable {
    public var start: Int64
    public var end: Int64
    public var timeZone: TimeZone

    public init(start: Int64, end: Int64, timeZone: TimeZone = .utc) {
        self.start = start
        self.end = max(start, end)
        self.timeZone = timeZone
    }

    /// The `days` full days before the day holding `now`, in `timeZone`: `--last 7d`, and the digest's default.
    public static func lastFullDays(_ days: Int, now: Int64, timeZone: TimeZone = .utc) -> ReportPeriod {
        let calendar = Calendar.in(timeZone)
        let today = calendar.startOfDay(for: Date(seconds: now))
        let first = calendar.date(byAdding: .day, value: -days, to: today) ?? today
        return ReportPeriod(start: first.seconds, end: today.seconds, timeZone: timeZone)
    }

    /// The period of the same number of days just before this one.
    public var previous: ReportPeriod {
        let calendar = Calendar.in(timeZone)
        let count = dayStarts.count
        let first = calendar.date(byAdding: .day, value: -count, to: Date(seconds: start)) ?? Date(seconds: start)
        return ReportPeriod(start: first.seconds, end: start, timeZone: timeZone)
    }

    /// The `days` days before this period's start.
    public func preceding(days: Int) -> ReportPeriod {
        let calendar = Calendar.in(timeZone)
        let first = calendar.date(byAdding: .day, value: -days, to: Date(seconds: start)) ?? Date(seconds: start)
        return ReportPeriod(start: first.seconds, end: start, timeZone: timeZone)
    }

    /// The filter selecting reports that begin in this period.
    public func filter(domain: String? = nil) -> ReportFilter {
        ReportFilter(domain: domain, since: start, until: end - 1)
    }

    /// The start of each day (in the time zone) that the period touches, the first clipped to `start`.
    public var dayStarts: [Int64] {
        let calendar = Calendar.in(timeZone)
        var starts: [Int64] = []
        var day = calendar.startOfDay(for: Date(seconds: start))
        while day.seconds < end {
            starts.append(max(day.seconds, start))
            guard let next = calendar.date(byAdding: .day, value: 1, to: day) else { break }
            day = next
        }
        return starts
    }

    /// How a report's `[begin, end]` range divides over the period's days: the share of its range in each
    /// day, renormalized over the part inside the period so a report's whole count stays in the period.
    /// A report with an empty or inverted range goes whole to the day of its begin.
    public func apportion(begin: Int64, end reportEnd: Int64, dayStarts: [Int64]) -> [(day: Int, share: Double)] {
        guard !dayStarts.isEmpty else { return [] }
        let bounds = dayStarts + [end]
        // RFC 7489 ranges are often inclusive (23:59:59): count the last second as a whole one.
        let rangeEnd = reportEnd % 60 == 59 ? reportEnd + 1 : reportEnd
        var shares: [(Int, Double)] = []
        var total = 0.0
        for index in dayStarts.indices {
            let overlap = min(rangeEnd, bounds[index + 1]) - max(begin, bounds[index])
            if overlap > 0 {
                shares.append((index, Double(overlap)))
                total += Double(overlap)
            }
        }
        guard total > 0 else {
            let index = dayStarts.lastIndex { $0 <= begin } ?? 0
            return [(index, 1)]
        }
        return shares.map { ($0.0, $0.1 / total) }
    }

    /// `2026-11-22 – 2026-11-28` (the last day shown is the one holding `end - 1`), with the zone.
    public var label: String {
        let first = dayLabel(start)
        let last = dayLabel(max(start, end - 1))
        return (first == last ? first : "\(first) – \(last)") + " (\(zoneName))"
    }

    /// `UTC`, or the zone's IANA name.
    public var zoneName: String {
        timeZone.identifier == "GMT" ? "UTC" : timeZone.identifier
    }

    /// The calendar date (in the time zone) of an instant: `2026-11-28`.
    public func dayLabel(_ epoch: Int64) -> String {
        let parts = Calendar.in(timeZone).dateComponents([.year, .month, .day], from: Date(seconds: epoch))
        func pad(_ value: Int?, _ width: Int) -> String {
            let digits = String(value ?? 0)
            return String(repeating: "0", count: max(0, width - digits.count)) + digits
        }
        return "\(pad(parts.year, 4))-\(pad(parts.month, 2))-\(pad(parts.day, 2))"
    }
}

extension TimeZone {
    public static let utc = TimeZone(identifier: "UTC")!
}

extension Calendar {
    static func `in`(_ zone: TimeZone) -> Calendar {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = zone
        return calendar
    }
}

extension Date {
    init(seconds: Int64) { self.init(timeIntervalSince1970: TimeInterval(seconds)) }
    var seconds: Int64 { Int64(timeIntervalSince1970.rounded(.down)) }
}
