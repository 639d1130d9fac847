import Glibc
import ReportModel

/// Every leniency of the DMARC parser lives here: how raw element text becomes model values, and the
/// diagnostic each repair leaves behind.
struct Normalization {
    static let spfAliases: [String: SPFResult] = ["hardfail": .fail, "unknown": .temperror, "error": .permerror]
    static let dkimAliases: [String: DKIMResult] = ["hardfail": .fail, "unknown": .temperror, "error": .permerror]
    static let alignmentAliases: [String: AlignmentMode] = ["relaxed": .relaxed, "strict": .strict]
    static let scopeAliases: [String: SPFScope] = ["mailfrom": .mfrom, "mail_from": .mfrom]
    static let testingAliases: [String: TestingMode] = ["yes": .yes, "no": .no]

    /// The text (already trimmed by the parser), or `nil` (with a note) when the element was empty.
    static func text(_ trimmed: String, element: String, into diagnostics: inout DiagnosticCollector) -> String? {
        if trimmed.isEmpty {
            diagnostics.add(.emptyElement, .note, "empty <\(element)> treated as absent")
            return nil
        }
        return trimmed
    }

    /// A domain name: trimmed, lower-cased, without a trailing dot.
    static func domain(_ raw: String, element: String, into diagnostics: inout DiagnosticCollector) -> String? {
        guard var value = text(raw, element: element, into: &diagnostics) else { return nil }
        if value.utf8.count > 1 && value.utf8.last == UInt8(ascii: ".") {
            value.removeLast()
            diagnostics.add(.enumCase, .note, "trailing dot removed from <\(element)>")
        }
        var needsLowering = false
        for byte in value.utf8 where (byte >= 0x41 && byte <= 0x5A) || byte >= 0x80 {
            needsLowering = true
            break
        }
        guard needsLowering else { return value }
        let lowered = value.lowercased()
        if lowered != value {
            diagnostics.add(.enumCase, .note, "upper-case letters in <\(element)> lower-cased")
        }
        return lowered
    }

    /// A word from a closed vocabulary: case and known aliases are repaired, anything else kept verbatim.
    static func word<Word>(
        _ raw: String, element: String, aliases: [String: Word] = [:], into diagnostics: inout DiagnosticCollector
    ) -> Reported<Word>? where Word: RawRepresentable & Hashable & Sendable, Word.RawValue == String {
        guard let trimmed = text(raw, element: element, into: &diagnostics) else { return nil }
        if let word = Word(rawValue: trimmed) { return .known(word) }
        let lowered = trimmed.lowercased()
        if let word = Word(rawValue: lowered) {
            diagnostics.add(.enumCase, .note, "<\(element)> '\(trimmed)' read as '\(lowered)'")
            return .known(word)
        }
        if let word = aliases[lowered] {
            diagnostics.add(
                .enumAlias, .warning, "<\(element)> '\(trimmed)' is not a standard value; read as '\(word.rawValue)'")
            return .known(word)
        }
        diagnostics.add(.unknownValue, .warning, "<\(element)> '\(trimmed)' is not a known value; kept verbatim")
        return .unknown(trimmed)
    }

    enum NumberProblem: Error {
        case notANumber
        case outOfRange
    }

    /// An integer, leniently: white space, a leading `+`, and a fractional part (floored, with a note).
    static func integer(
        _ raw: String, element: String, into diagnostics: inout DiagnosticCollector
    ) throws(NumberProblem)
        -> Int64
    {
        if let value = Int64(raw) { return value }
        let trimmed = trim(raw)
        if let value = Int64(trimmed) { return value }
        var digits = Substring(trimmed)
        var negative = false
        if let sign = digits.first, sign == "+" || sign == "-" {
            negative = sign == "-"
            digits = digits.dropFirst()
        }
        let parts = digits.split(separator: ".", maxSplits: 1, omittingEmptySubsequences: false)
        guard let whole = parts.first, !whole.isEmpty, whole.allSatisfy({ $0.isASCII && $0.isNumber }),
            parts.count == 1 || parts[1].allSatisfy({ $0.isASCII && $0.isNumber })
        else { throw .notANumber }
        guard let magnitude = Int64(whole) else { throw .outOfRange }
        // Floor: -1.5 becomes -2.
        let hasFraction = parts.count == 2 && parts[1].contains(where: { $0 != "0" })
        let value = negative ? -magnitude - (hasFraction ? 1 : 0) : magnitude
        diagnostics.add(.lenientNumber, .note, "<\(element)> '\(trimmed)' read as \(value)")
        return value
    }

    /// An IP address in canonical text form (RFC 5952 for IPv6); `nil` when it is not an address.
    static func canonicalIP(_ raw: String) -> String? {
        // Nearly every source is an IPv4 address written canonically: known so without allocating.
        if isCanonicalIPv4(raw) { return raw }
        var v4 = in_addr()
        var v6 = in6_addr()
        // (inet_pton accepts no other IPv4 text than the canonical; written back should it ever.)
        if inet_pton(AF_INET, raw, &v4) == 1 { return withUnsafeBytes(of: v4) { text(of: $0, family: AF_INET) } }
        if inet_pton(AF_INET6, raw, &v6) == 1 {
            return withUnsafeBytes(of: v6) { text(of: $0, family: AF_INET6) }
        }
        return nil
    }

    /// `inet_ntop` of the address bytes into a buffer on the stack.
    private static func text(of address: UnsafeRawBufferPointer, family: Int32) -> String? {
        withUnsafeTemporaryAllocation(of: CChar.self, capacity: Int(INET6_ADDRSTRLEN)) { buffer in
            guard inet_ntop(family, address.baseAddress, buffer.baseAddress, socklen_t(buffer.count)) != nil else {
                return nil
            }
            return String(cString: buffer.baseAddress!)
        }
    }

    /// Whether `text` is four decimal numbers up to 255, without leading zeros, joined by dots: what
    /// `inet_pton` accepts as IPv4 and `inet_ntop` writes back unchanged.
    static func isCanonicalIPv4(_ text: String) -> Bool {
        var parts = 0
        var value = 0
        var digits = 0
        var leadingZero = false
        for byte in text.utf8 {
            if byte == UInt8(ascii: ".") {
                guard digits > 0, parts < 3 else { return false }
                parts += 1
                (value, digits, leadingZero) = (0, 0, false)
            } else if byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") {
                guard !leadingZero, digits < 3 else { return false }
                leadingZero = digits == 0 && byte == UInt8(ascii: "0")
                value = value * 10 + Int(byte - UInt8(ascii: "0"))
                digits += 1
                guard value <= 255 else { return false }
            } else {
                return false
            }
        }
        return parts == 3 && digits > 0
    }

    /// Trims ASCII white space (and no-break spaces) at both ends.
    static func trim(_ raw: String) -> String {
        let scalars = raw.unicodeScalars
        guard let first = scalars.firstIndex(where: { !isSpace($0) }) else { return "" }
        guard let last = scalars.lastIndex(where: { !isSpace($0) }) else { return "" }
        if first == scalars.startIndex && last == scalars.index(before: scalars.endIndex) { return raw }
        return String(scalars[first...last])
    }

    private static func isSpace(_ scalar: Unicode.Scalar) -> Bool {
        scalar == " " || scalar == "\t" || scalar == "\n" || scalar == "\r" || scalar == "\u{A0}"
    }
}
