import Foundation

/// An e-mail as RFC 5322 and MIME want it: the text, and the HTML beside it as multipart/alternative
/// (plain first, HTML last, in rising preference), UTF-8 bodies quoted-printable, non-ASCII header text
/// as RFC 2047 encoded words, Date and Message-ID set, lines within 78 octets.
public struct MailMessage: Sendable {
    public var from: MailAddress
    public var to: [MailAddress]
    public var subject: String
    /// Seconds since the epoch; written in UTC.
    public var date: Int64
    public var text: String
    public var html: String?
    /// Unique: `<random@domain of the sender>`.
    public var messageID: String

    public init(from: MailAddress, to: [MailAddress], subject: String, date: Int64, text: String, html: String?) {
        self.from = from
        self.to = to
        self.subject = subject
        self.date = date
        self.text = text
        self.html = html
        self.messageID = "<\(UUID().uuidString.lowercased())@\(from.domain)>"
    }

    /// The message's bytes, lines ending in `lineEnding`: CR LF on the wire, LF for a local sendmail.
    public func rendered(lineEnding: String = "\r\n") -> [UInt8] {
        var lines: [String] = []
        lines.append("Date: " + Self.dateHeader(date))
        lines.append("From: " + from.header)
        lines += Self.folded("To: " + to.map(\.header).joined(separator: ", "))
        lines += Self.folded("Subject: " + Self.encodedWords(subject))
        lines.append("Message-ID: " + messageID)
        // RFC 3834: an automatic message, which vacation responders must not answer.
        lines.append("Auto-Submitted: auto-generated")
        lines.append("MIME-Version: 1.0")
        if let html {
            let boundary = Self.boundary(avoiding: [text, html])
            lines.append("Content-Type: multipart/alternative;")
            lines.append(" boundary=\"\(boundary)\"")
            lines.append("")
            lines.append("This is a message in MIME format: a plain text and an HTML version.")
            for (type, body) in [("text/plain", text), ("text/html", html)] {
                lines.append("--" + boundary)
                lines.append("Content-Type: \(type); charset=utf-8")
                lines.append("Content-Transfer-Encoding: quoted-printable")
                lines.append("")
                lines += QuotedPrintable.encode(body)
            }
            lines.append("--" + boundary + "--")
        } else {
            lines.append("Content-Type: text/plain; charset=utf-8")
            lines.append("Content-Transfer-Encoding: quoted-printable")
            lines.append("")
            lines += QuotedPrintable.encode(text)
        }
        return Array((lines.joined(separator: lineEnding) + lineEnding).utf8)
    }

    /// `Sat, 05 Dec 2026 06:00:00 +0000` (RFC 5322 §3.3).
    static func dateHeader(_ seconds: Int64) -> String {
        var time = time_t(seconds)
        var parts = tm()
        gmtime_r(&time, &parts)
        let days = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]
        let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        func two(_ value: Int32) -> String { value < 10 ? "0\(value)" : "\(value)" }
        return
            "\(days[Int(parts.tm_wday)]), \(two(parts.tm_mday)) \(months[Int(parts.tm_mon)]) \(parts.tm_year + 1900) "
            + "\(two(parts.tm_hour)):\(two(parts.tm_min)):\(two(parts.tm_sec)) +0000"
    }

    /// Header text as it is when ASCII, else as UTF-8 base64 encoded words of at most 64 characters,
    /// each holding whole characters (RFC 2047 §2, §5).
    static func encodedWords(_ text: String) -> String {
        let clean = text.map { $0.isNewline ? " " : $0 }
        if clean.allSatisfy({ $0.isASCII && $0 != "\u{7F}" }) { return String(clean) }
        var words: [String] = []
        var chunk: [UInt8] = []
        for character in clean {
            let bytes = Array(String(character).utf8)
            // 39 bytes make 52 base64 characters: a 64-character word, which fits after "Subject: " within
            // the 78 a line should keep to (a word may have 75).
            if chunk.count + bytes.count > 39 {
                words.append("=?UTF-8?B?" + Data(chunk).base64EncodedString() + "?=")
                chunk = []
            }
            chunk += bytes
        }
        if !chunk.isEmpty { words.append("=?UTF-8?B?" + Data(chunk).base64EncodedString() + "?=") }
        return words.joined(separator: " ")
    }

    /// A header line folded at spaces before 78 characters (RFC 5322 §2.2.3).
    static func folded(_ line: String) -> [String] {
        var lines: [String] = []
        var current = ""
        for word in line.split(separator: " ", omittingEmptySubsequences: false) {
            // The first word after the header's name stays on its line, however long.
            if !current.isEmpty && current.count + 1 + word.count > 78 && !current.hasSuffix(":") {
                lines.append(current)
                current = " " + word
            } else {
                current += (current.isEmpty ? "" : " ") + word
            }
        }
        lines.append(current)
        return lines
    }

    /// A boundary that occurs in no body (RFC 2046 §5.1.1); quoted-printable never writes "=_".
    static func boundary(avoiding bodies: [String]) -> String {
        while true {
            let candidate = "=_rua_" + UUID().uuidString.replacingOccurrences(of: "-", with: "")
            if !bodies.contains(where: { $0.contains(candidate) }) { return candidate }
        }
    }
}

/// An address with an optional display name: `rua@example.com` or `Rua Digest <rua@example.com>`.
public struct MailAddress: Sendable, Equatable {
    public var name: String?
    public var address: String

    /// Reads `addr@domain` or `Name <addr@domain>`; nil for anything else (no spaces, brackets, quotes or
    /// line breaks in the address itself, one @ with a dotted or plain domain after it).
    public init?(_ text: String) {
        var name: String?
        var address = text.trimmingCharacters(in: .whitespaces)
        if address.hasSuffix(">"), let open = address.lastIndex(of: "<") {
            let display = address[..<open].trimmingCharacters(in: .whitespaces)
            name = display.isEmpty ? nil : display.trimmingCharacters(in: CharacterSet(charactersIn: "\""))
            address = String(address[address.index(after: open)..<address.index(before: address.endIndex)])
        }
        let parts = address.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty,
            !address.contains(where: { $0.isWhitespace || "<>\"(),;:\\[]".contains($0) || !$0.isASCII }),
            !(name ?? "").contains(where: \.isNewline)
        else { return nil }
        self.name = name
        self.address = address
    }

    public var domain: String { String(address.split(separator: "@").last ?? "localhost") }

    /// As a header value: the name quoted or encoded as needed, the address in brackets.
    var header: String {
        guard let name else { return address }
        let plain = name.allSatisfy {
            $0.isASCII && ($0.isLetter || $0.isNumber || " !#$%&'*+-/=?^_`{|}~".contains($0))
        }
        let shown =
            plain
            ? name
            : name.allSatisfy(\.isASCII)
                ? "\"" + name.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
                    + "\"" : MailMessage.encodedWords(name)
        return "\(shown) <\(address)>"
    }
}

/// Quoted-printable (RFC 2045 §6.7) for UTF-8 text: lines of at most 76 characters, `=` and non-ASCII
/// bytes escaped, trailing blanks protected, and a leading dot escaped so that no transport reads a line
/// of its own as the end of the message.
enum QuotedPrintable {
    static func encode(_ text: String) -> [String] {
        var out: [String] = []
        let hex = Array("0123456789ABCDEF".utf8)
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            var bytes = Array(line.utf8)
            if bytes.last == 13 { bytes.removeLast() }
            var current: [UInt8] = []
            for (index, byte) in bytes.enumerated() {
                let last = index == bytes.count - 1
                let literal =
                    (byte >= 33 && byte <= 126 && byte != 61 && !(byte == 46 && current.isEmpty))
                    || ((byte == 32 || byte == 9) && !last)
                let piece: [UInt8] = literal ? [byte] : [61, hex[Int(byte >> 4)], hex[Int(byte & 15)]]
                if current.count + piece.count > 75 {
                    out.append(String(decoding: current + [61], as: UTF8.self))
                    current = []
                }
                current += piece
            }
            out.append(String(decoding: current, as: UTF8.self))
        }
        return out
    }
}
