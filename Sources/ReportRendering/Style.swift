/// Colour for text on a terminal (ANSI SGR), used sparingly: a verdict's word or rate, and warnings.
/// Every function returns `text` unchanged when colour is off.
public enum Style {
    public enum Tone: String, Sendable {
        case good = "32"
        case warning = "33"
        case bad = "31"
    }

    public static func colored(_ text: String, _ tone: Tone, _ on: Bool) -> String {
        on ? "\u{1B}[\(tone.rawValue)m\(text)\u{1B}[0m" : text
    }

    /// A pass rate's tone: good from 98%, a warning from 90%, bad below.
    public static func tone(ofPassRate rate: Double?) -> Tone? {
        guard let rate else { return nil }
        return rate >= 0.98 ? .good : rate >= 0.9 ? .warning : .bad
    }

    /// `text` in the tone of `rate`, when there is one.
    static func rate(_ text: String, _ rate: Double?, _ on: Bool) -> String {
        guard let tone = tone(ofPassRate: rate) else { return text }
        return colored(text, tone, on)
    }
}
