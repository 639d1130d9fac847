import ReportModel

/// All escaping of report-supplied text happens here: JSON strings, CSV cells, terminal text.
public enum Escaping {
    /// Appends `value` as a JSON string literal.
    static func appendJSONString(_ value: String, to out: inout String) {
        // Most values need no escape at all: check the bytes and append the string whole.
        var plain = true
        for byte in value.utf8
        where byte < 0x20 || byte == 0x22 || byte == 0x5C || byte == 0x7F || byte == 0xE2 || byte == 0xF4 {
            plain = false
            break
        }
        if plain {
            out += "\""
            out += value
            out += "\""
            return
        }
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
            case _ where PathBytes.isEscape(scalar):
                // A file name's byte that is not UTF-8: shown as \xE9, as in text output.
                out += "\\\\" + PathBytes.displayed(String(scalar)).dropFirst()
            default: out.unicodeScalars.append(scalar)
            }
        }
        out += "\""
    }

    /// One CSV cell per RFC 4180: quoted when it holds a comma, quote or line break; cells that a
    /// spreadsheet would read as a formula (`=`, `+`, `-`, `@`, tab, CR first) are prefixed with `'`,
    /// unless they are plain numbers.
    public static func csvCell(_ value: String) -> String {
        // A file name's bytes that are not UTF-8 are written as \xE9, as everywhere else.
        let value = PathBytes.displayed(value)
        var utf8 = value.utf8.makeIterator()
        guard let first = utf8.next() else { return value }
        var cell = value
        if first == 0x3D || first == 0x2B || first == 0x2D || first == 0x40 || first == 0x09 || first == 0x0D,
            Double(value) == nil
        {
            cell = "'" + value
        }
        var needsQuotes = false
        for byte in cell.utf8 where byte == 0x2C || byte == 0x22 || byte == 0x0A || byte == 0x0D {
            needsQuotes = true
            break
        }
        guard needsQuotes else { return cell }
        return "\"" + cell.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    /// Appends one CSV cell (as ``csvCell(_:)``) as UTF-8 bytes, without building a string on the way:
    /// what exports of millions of rows use.
    static func appendCSVCell(_ value: String, to out: inout [UInt8]) {
        var value = value
        if value.utf8.contains(0xF4) { value = PathBytes.displayed(value) }
        value.withUTF8 { bytes in
            guard let first = bytes.first else { return }
            let formula =
                (first == 0x3D || first == 0x2B || first == 0x2D || first == 0x40 || first == 0x09 || first == 0x0D)
                && Double(String(decoding: bytes, as: UTF8.self)) == nil
            var needsQuotes = false
            for byte in bytes where byte == 0x2C || byte == 0x22 || byte == 0x0A || byte == 0x0D {
                needsQuotes = true
                break
            }
            guard needsQuotes || formula else {
                out.append(contentsOf: bytes)
                return
            }
            if needsQuotes { out.append(0x22) }
            if formula { out.append(0x27) }
            for byte in bytes {
                if byte == 0x22 { out.append(0x22) }
                out.append(byte)
            }
            if needsQuotes { out.append(0x22) }
        }
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
            } else if PathBytes.isEscape(scalar) {
                out += PathBytes.displayed(String(scalar))
            } else if isInvisibleFormatting(scalar) {
                // Bidirectional overrides and invisible characters make text read differently from what
                // it is (a reporter's name that reverses the rest of the line): shown as \u{202E}.
                out += "\\u{" + String(scalar.value, radix: 16, uppercase: true) + "}"
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

    /// Unicode's bidirectional controls and invisible format characters.
    static func isInvisibleFormatting(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x061C, 0x200B...0x200F, 0x2028...0x202E, 0x2060...0x2069, 0xFEFF, 0xFFF9...0xFFFB: true
        default: false
        }
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
