import Glibc

/// Dates for people and scripts: always UTC.
public enum TimeFormat {
    /// `2026-11-28T00:00:00Z`.
    public static func iso8601(_ epoch: Int64) -> String {
        let parts = components(epoch)
        return
            "\(pad(parts.year, 4))-\(pad(parts.month))-\(pad(parts.day))T\(pad(parts.hour)):\(pad(parts.minute)):\(pad(parts.second))Z"
    }

    /// `2026-11-28T08:00:00`: a CSV cell's time, UTC without the zone letter. LibreOffice Calc reads this
    /// form as a date and time (with the `Z` it reads text); scripts read it as ISO-8601, knowing from the
    /// contract that every time is UTC.
    public static func csv(_ epoch: Int64) -> String {
        String(iso8601(epoch).dropLast())
    }

    /// `2026-11-28`.
    public static func date(_ epoch: Int64) -> String {
        let parts = components(epoch)
        return "\(pad(parts.year, 4))-\(pad(parts.month))-\(pad(parts.day))"
    }

    /// `2026-11-28 13:05`.
    public static func minute(_ epoch: Int64) -> String {
        let parts = components(epoch)
        return "\(pad(parts.year, 4))-\(pad(parts.month))-\(pad(parts.day)) \(pad(parts.hour)):\(pad(parts.minute))"
    }

    private static func components(
        _ epoch: Int64
    ) -> (year: Int, month: Int, day: Int, hour: Int, minute: Int, second: Int) {
        var time = time_t(epoch)
        var value = tm()
        gmtime_r(&time, &value)
        return (
            Int(value.tm_year) + 1900, Int(value.tm_mon) + 1, Int(value.tm_mday), Int(value.tm_hour), Int(value.tm_min),
            Int(value.tm_sec)
        )
    }

    private static func pad(_ value: Int, _ width: Int = 2) -> String {
        let digits = String(value)
        return String(repeating: "0", count: max(0, width - digits.count)) + digits
    }
}
