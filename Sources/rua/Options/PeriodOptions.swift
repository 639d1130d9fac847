import ArgumentParser
import Foundation
import ReportModel
import ReportRendering
import ReportService

/// `--domain`, `--since`, `--until`, `--last` and `--tz`: which reports a report command covers.
struct PeriodOptions: ParsableArguments {
    @Option(help: ArgumentHelp("Only this policy domain.", valueName: "domain"))
    var domain: String?

    @Option(
        help: ArgumentHelp(
            "Reports beginning on or after this date (YYYY-MM-DD, ISO-8601, or a span back from now: 7d, 4w, 12h, 1m).",
            valueName: "date"))
    var since: String?

    @Option(
        help: ArgumentHelp(
            "Reports beginning on or before this date (a bare date includes the whole day).", valueName: "date"))
    var until: String?

    @Option(
        help: ArgumentHelp(
            "The last N full days before today: 7d, 4w (28 days), 1m (30 days). Overrides --since/--until.",
            valueName: "span"))
    var last: String?

    @Option(
        help: ArgumentHelp(
            "Time zone for days and bare dates (IANA name such as Europe/Berlin; default UTC).", valueName: "zone"))
    var tz: String?

    func validate() throws {
        if let tz, TimeZone(identifier: tz) == nil { throw ValidationError("--tz '\(tz)' is not a time zone name") }
        if let last, Retention.days(last) == nil {
            throw ValidationError("--last '\(last)' is not a span: use 7d, 4w or 1m")
        }
    }

    var timeZone: TimeZone { tz.flatMap(TimeZone.init(identifier:)) ?? .utc }

    /// The period asked for, or nil when no bound was given (all time).
    func period(now: Int64) throws -> ReportPeriod? {
        if let last, let days = Retention.days(last) {
            return ReportPeriod.lastFullDays(days, now: now, timeZone: timeZone)
        }
        guard since != nil || until != nil else { return nil }
        let start = try since.map { try date($0, now: now, endOfDay: false) } ?? 0
        let end = try until.map { try date($0, now: now, endOfDay: true) + 1 } ?? Int64(Int32.max) * 2
        guard start < end else { throw ValidationError("--since is after --until") }
        return ReportPeriod(start: start, end: end, timeZone: timeZone)
    }

    /// The period asked for, else the `defaultDays` full days before today.
    func period(now: Int64, defaultDays: Int) throws -> ReportPeriod {
        try period(now: now) ?? ReportPeriod.lastFullDays(defaultDays, now: now, timeZone: timeZone)
    }

    func filter(now: Int64) throws -> ReportFilter {
        try period(now: now)?.filter(domain: domain) ?? ReportFilter(domain: domain)
    }

    /// A date argument in epoch seconds; a bare date is a day in `--tz`.
    private func date(_ text: String, now: Int64, endOfDay: Bool) throws -> Int64 {
        do {
            return try DateArgument.parse(text, now: now, endOfDay: endOfDay, timeZone: timeZone)
        } catch {
            // DateArgument.parse throws only DateArgument.Invalid.
            throw ValidationError(error.description)
        }
    }

    /// What a report command's output says about itself (``OutputContext``): the period's bounds (an end
    /// not given is open; no bound at all is all time), its label, `domain` and the command's own filters.
    /// - Parameter effective: the period a command uses when none is given (the digest's last 7 days).
    func context(
        command: String, now: Int64, effective: ReportPeriod? = nil, filters: [OutputContext.Filter] = []
    ) throws -> OutputContext {
        var bounds: OutputContext.PeriodBounds?
        var label = self.label(now: now)
        if let period = try period(now: now) {
            let open = last == nil
            bounds = .init(
                start: open && since == nil ? nil : period.start, end: open && until == nil ? nil : period.end,
                timeZone: period.zoneName)
        } else if let effective {
            bounds = .init(start: effective.start, end: effective.end, timeZone: effective.zoneName)
            label = effective.label
        }
        return OutputContext(
            command: command, generatedAt: now, period: bounds, periodLabel: label,
            filters: [.init("domain", domain)] + filters)
    }

    /// A label for the period, for text output.
    func label(now: Int64) -> String {
        guard let period = try? period(now: now) else { return "all time" }
        switch (since, until, last) {
        case (_, _, .some): return period.label
        case (.some, nil, nil): return "since \(period.dayLabel(period.start)) (\(period.zoneName))"
        case (nil, .some, nil): return "until \(period.dayLabel(period.end - 1)) (\(period.zoneName))"
        default: return period.label
        }
    }
}

/// The current time: `RUA_NOW` (epoch seconds or a date argument) when set, for reproducible runs and
/// tests; the clock otherwise.
func currentTime() throws -> Int64 {
    let clock = Int64(Date().timeIntervalSince1970)
    guard let pinned = ProcessInfo.processInfo.environment["RUA_NOW"], !pinned.isEmpty else { return clock }
    let seconds: Int64
    if let number = Int64(pinned) {
        seconds = number
    } else {
        do {
            seconds = try DateArgument.parse(pinned, now: clock)
        } catch {
            throw ValidationError("RUA_NOW: \(error.description)")
        }
    }
    guard TimeLimits.contains(seconds) else {
        throw ValidationError("RUA_NOW: \(pinned) is not a time between 1970 and the end of 9999")
    }
    return seconds
}
