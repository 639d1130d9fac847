import Foundation

/// RFC 2047 encoded words (`=?utf-8?B?…?=`, `=?iso-8859-1?Q?…?=`) in header values, and the
/// character sets they name.
public enum EncodedWords {
    /// Whether `value` has a `=?` anywhere (looked for in its bytes: most header values have none).
    static func mayHoldEncodedWord(_ value: String) -> Bool {
        var previous: UInt8 = 0
        for byte in value.utf8 {
            if previous == UInt8(ascii: "=") && byte == UInt8(ascii: "?") { return true }
            previous = byte
        }
        return false
    }

    /// Decodes every encoded word; white space between two adjacent encoded words is dropped.
    public static func decode(_ value: String) -> String {
        guard mayHoldEncodedWord(value) else { return value }
        var output = ""
        var rest = Substring(value)
        var lastWasEncoded = false
        while let start = rest.range(of: "=?") {
            let before = rest[rest.startIndex..<start.lowerBound]
            guard let word = parseWord(rest[start.lowerBound...]) else {
                output += before + "=?"
                rest = rest[start.upperBound...]
                lastWasEncoded = false
                continue
            }
            let onlySpace = before.allSatisfy { $0 == " " || $0 == "\t" }
            if !(lastWasEncoded && onlySpace) { output += before }
            output += word.text
            rest = rest[word.end...]
            lastWasEncoded = true
        }
        return output + rest
    }

    private static func parseWord(_ text: Substring) -> (text: String, end: Substring.Index)? {
        // =?charset?encoding?encoded-text?=
        let parts = text.dropFirst(2)
        guard let q1 = parts.firstIndex(of: "?") else { return nil }
        let charset = parts[parts.startIndex..<q1]
        let afterCharset = parts[parts.index(after: q1)...]
        guard let q2 = afterCharset.firstIndex(of: "?") else { return nil }
        let encoding = afterCharset[afterCharset.startIndex..<q2].uppercased()
        let payloadStart = afterCharset.index(after: q2)
        guard let close = afterCharset[payloadStart...].range(of: "?=") else { return nil }
        let payload = afterCharset[payloadStart..<close.lowerBound]
        guard !payload.contains(" ") else { return nil }
        let bytes: [UInt8]
        switch encoding {
        case "B": bytes = TransferEncoding.base64(Array(payload.utf8)[...])
        case "Q": bytes = TransferEncoding.quotedPrintable(Array(payload.utf8)[...], underscoreIsSpace: true)
        default: return nil
        }
        // RFC 2231 allows a language after '*': charset*lang.
        let name = charset.split(separator: "*").first.map(String.init) ?? String(charset)
        return (decodeCharset(bytes, name), close.upperBound)
    }

    /// Bytes in the named character set as a string (UTF-8 when the name is unknown, repairing).
    public static func decodeCharset(_ bytes: [UInt8], _ charset: String) -> String {
        switch charset.lowercased() {
        case "iso-8859-1", "latin1", "iso8859-1", "us-ascii", "ascii":
            return String(bytes.map { Character(Unicode.Scalar($0)) })
        case "windows-1252", "cp1252":
            return String(data: Data(bytes), encoding: .windowsCP1252) ?? String(decoding: bytes, as: UTF8.self)
        case "iso-8859-15", "latin-9":
            return String(data: Data(bytes), encoding: .isoLatin1) ?? String(decoding: bytes, as: UTF8.self)
        case "utf-16":
            return String(data: Data(bytes), encoding: .utf16) ?? String(decoding: bytes, as: UTF8.self)
        default:
            return String(decoding: bytes, as: UTF8.self)
        }
    }
}
