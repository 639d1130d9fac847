/// All escaping of report-supplied text happens here: JSON strings, CSV cells, terminal text.
public enum Escaping {
    /// Appends `value` as a JSON string literal.
    static func appendJSONString(_ value: String, to out: inout String) {
        out += "\""
        for scalar in value.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where scalar.value < 0x20 || scalar.value == 0x7F || (0x2028...0x2029).contains(scalar.value):
                out += "\\u" + hex4(scalar.value)
            default: out.unicodeScalars.append(scalar)
            }
        }
        out += "\""
    }

    /// One CSV cell per RFC 4180: quoted when it holds a comma, quote or line break; cells that a
    /// spreadsheet would read as a formula (`=`, `+`, `-`, `@`, tab, CR first) are prefixed with `'`.
    public static func csvCell(_ value: String) -> String {
        var cell = value
        if let first = cell.unicodeScalars.first, ["=", "+", "-", "@", "\t", "\r"].contains(first),
            Double(cell) == nil
        {
            cell = "'" + cell
        }
        if cell.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) {
            return "\"" + cell.replacingOccurrences(of: "\"", with: "\"\"") + "\""
        }
        return cell
    }

    /// Text safe for a terminal: control characters (including ESC) shown as `\u{…}`-style escapes.
    public static func terminal(_ value: String) -> String {
        var out = ""
        for scalar in value.unicodeScalars {
            if scalar.value < 0x20 || (0x7F...0x9F).contains(scalar.value) {
                switch scalar {
                case "\n": out += "\\n"
                case "\t": out += "\\t"
                case "\r": out += "\\r"
                default: out += "\\x" + String(hex4(scalar.value).suffix(2))
                }
            } else {
                out.unicodeScalars.append(scalar)
            }
        }
        return out
    }

    /// Text for HTML element content and attribute values: `&`, `<`, `>`, quotes escaped, control
    /// characters shown as in ``terminal(_:)``.
    public static func html(_ value: String) -> String {
        var out = ""
        for character in terminal(value) {
            switch character {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.append(character)
            }
        }
        return out
    }

    /// Text for Markdown: control characters escaped, and backslash-escaped whatever Markdown would read
    /// as markup: emphasis, code, links, inline HTML, `|` (which would split a table cell), and a
    /// heading, list or quote marker at the start.
    public static func markdown(_ value: String) -> String {
        var out = ""
        for (index, character) in terminal(value).enumerated() {
            if "\\`*_[]<>|~".contains(character) || (index == 0 && "#+-=>!".contains(character)) {
                out.append("\\")
            }
            out.append(character)
        }
        return out
    }

    private static func hex4(_ value: UInt32) -> String {
        let digits = String(value, radix: 16)
        return String(repeating: "0", count: max(0, 4 - digits.count)) + digits
    }
}

extension String {
    fileprivate func replacingOccurrences(of target: String, with replacement: String) -> String {
        split(separator: target, omittingEmptySubsequences: false).joined(separator: replacement)
    }
}
