import Foundation
import ReportModel

/// Reads the fields of a decoded JSON report leniently, collecting diagnostics. Every leniency of the
/// TLS-RPT parser lives here.
struct Fields {
    var diagnostics: DiagnosticCollector

    /// A string (a number is read as its text); `nil` when absent, null or blank.
    mutating func string(_ object: [String: Any], _ key: String) -> String? {
        switch object[key] {
        case let text as String:
            var trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
            if trimmed.utf8.contains(0) {
                // SQLite's C-string readers stop at NUL, so "a\0b" would come back as "a": kept visible instead.
                trimmed = String(trimmed.unicodeScalars.map { $0 == "\0" ? "\u{FFFD}" : Character($0) })
                diagnostics.add(.unknownValue, .warning, "\(key) holds NUL characters; each kept as U+FFFD")
            }
            return trimmed.isEmpty ? nil : trimmed
        case let number as NSNumber:
            diagnostics.add(.lenientNumber, .note, "\(key) is a number; read as text")
            return number.stringValue
        default:
            return nil
        }
    }

    /// A count: an integer, or a string of digits (with a note); 0 with a warning when absent or unusable.
    /// - Throws: when the count is beyond ``CountLimits/perValue``: no real report counts so many
    ///   sessions, and reading it as another number would falsify the totals.
    mutating func count(_ object: [String: Any], _ key: String) throws(TLSRPTParseError) -> Int64 {
        let value = try uncheckedCount(object, key)
        guard value <= CountLimits.perValue else {
            throw TLSRPTParseError(
                "\(key) \(value) is more sessions than any real report counts "
                    + "(the limit is \(CountLimits.perValue.grouped))")
        }
        return value
    }

    private mutating func uncheckedCount(_ object: [String: Any], _ key: String) throws(TLSRPTParseError) -> Int64 {
        switch object[key] {
        case let number as NSNumber where number.doubleValue.rounded() == number.doubleValue:
            guard abs(number.doubleValue) < 9.2e18 else {
                throw TLSRPTParseError(
                    "\(key) \(number) is more sessions than any real report counts "
                        + "(the limit is \(CountLimits.perValue.grouped))")
            }
            let value = number.int64Value
            if value < 0 {
                diagnostics.add(.unknownValue, .warning, "\(key) is negative (\(value)); read as 0")
                return 0
            }
            return value
        case let text as String:
            let digits = text.trimmingCharacters(in: .whitespaces)
            if !digits.isEmpty, digits.allSatisfy({ $0.isASCII && $0.isNumber }), Int64(digits) == nil {
                throw TLSRPTParseError(
                    "\(key) \"\(digits)\" is more sessions than any real report counts "
                        + "(the limit is \(CountLimits.perValue.grouped))")
            }
            if let value = Int64(digits), value >= 0 {
                diagnostics.add(.lenientNumber, .note, "\(key) is a string (\"\(text)\"); read as \(value)")
                return value
            }
            diagnostics.add(.unknownValue, .warning, "\(key) \"\(text)\" is not a count; read as 0")
            return 0
        case nil, is NSNull:
            diagnostics.add(.missingElement, .warning, "\(key) is missing; read as 0")
            return 0
        default:
            diagnostics.add(.unknownValue, .warning, "\(key) is not a count; read as 0")
            return 0
        }
    }

    /// An RFC 3339 date-time; one without a zone is read as UTC (with a note).
    mutating func datetime(_ object: [String: Any], _ key: String) throws(TLSRPTParseError) -> Int64 {
        guard let text = string(object, key) else { throw TLSRPTParseError("date-range/\(key) is missing") }
        // A bare date or a span ("7d") is not a date-time here.
        guard text.count > 10, text.contains("T") || text.contains("t") || text.contains(" "),
            let value = try? DateArgument.parse(text, now: 0)
        else { throw TLSRPTParseError("date-range/\(key) \"\(text)\" is not an RFC 3339 date-time") }
        let zone = text.dropFirst(19)
        if !zone.contains(where: { $0 == "Z" || $0 == "z" || $0 == "+" || $0 == "-" }) {
            diagnostics.add(.lenientNumber, .note, "\(key) \"\(text)\" has no time zone; read as UTC")
        }
        guard TimeLimits.contains(value) else {
            throw TLSRPTParseError("date-range/\(key) \"\(text)\" is not a time between 1970 and the end of 9999")
        }
        return value
    }

    /// A list of strings: a list, a single string (a note), or one string holding a JSON-encoded list
    /// (Microsoft's DANE policy-string).
    mutating func strings(_ object: [String: Any], _ key: String) -> [String] {
        switch object[key] {
        case let list as [Any]:
            let strings = list.compactMap { $0 as? String }
            if strings.count == 1, let only = strings.first, only.hasPrefix("["),
                let decoded = try? JSONSerialization.jsonObject(with: Data(only.utf8)) as? [String]
            {
                diagnostics.add(.enumAlias, .note, "\(key) is one JSON-encoded list; decoded")
                return decoded
            }
            return strings
        case let text as String:
            diagnostics.add(.enumAlias, .note, "\(key) is a string, not a list")
            return [text]
        default:
            return []
        }
    }

    /// A domain name: lower-cased, without a trailing dot.
    mutating func domain(_ object: [String: Any], _ key: String) -> String? {
        guard var value = string(object, key) else { return nil }
        if value.hasSuffix(".") && value.count > 1 {
            value.removeLast()
            diagnostics.add(.enumCase, .note, "trailing dot removed from \(key)")
        }
        let lowered = value.lowercased()
        if lowered != value { diagnostics.add(.enumCase, .note, "upper-case letters in \(key) lower-cased") }
        if !DomainName.isValid(lowered) {
            diagnostics.add(.invalidDomain, .warning, "\(key) is not a domain name; kept as reported")
        }
        return lowered
    }

    mutating func policy(_ entry: [String: Any]) throws(TLSRPTParseError) -> TLSPolicy {
        let policy = entry["policy"] as? [String: Any] ?? [:]
        var result = TLSPolicy()
        if let type = string(policy, "policy-type") {
            if let known = TLSPolicyType(rawValue: type) {
                result.type = .known(known)
            } else if let known = TLSPolicyType(rawValue: type.lowercased()) {
                diagnostics.add(.enumCase, .note, "policy-type '\(type)' read as '\(known.rawValue)'")
                result.type = .known(known)
            } else {
                diagnostics.add(.unknownValue, .warning, "policy-type '\(type)' is not a known value; kept verbatim")
                result.type = .unknown(type)
            }
        } else {
            diagnostics.add(.missingElement, .warning, "a policy has no policy-type")
        }
        result.strings = strings(policy, "policy-string")
        result.domain = domain(policy, "policy-domain")
        if result.domain == nil {
            diagnostics.add(.missingElement, .note, "a policy has no policy-domain")
        }
        result.mxHosts = strings(policy, "mx-host").map { host in
            let trimmed = host.trimmingCharacters(in: .whitespaces)
            guard trimmed.lowercased().hasPrefix("mx:") else { return trimmed }
            diagnostics.add(.enumAlias, .note, "mx-host value with an \"mx:\" prefix; prefix removed")
            return trimmed.dropFirst(3).trimmingCharacters(in: .whitespaces)
        }
        let summary = entry["summary"] as? [String: Any] ?? [:]
        result.successfulSessions = try count(summary, "total-successful-session-count")
        result.failedSessions = try count(summary, "total-failure-session-count")
        for element in entry["failure-details"] as? [Any] ?? [] {
            guard let detail = element as? [String: Any] else { continue }
            result.failures.append(try failure(detail))
        }
        // Each term is at most CountLimits.perValue; the parser bounds how many there are.
        let detailed = result.failures.reduce(Int64(0)) { $0 &+ $1.failedSessions }
        if !result.failures.isEmpty && detailed != result.failedSessions {
            diagnostics.add(
                .unknownValue, .note,
                "failure-details count \(detailed) sessions, the summary \(result.failedSessions); both kept as reported"
            )
        }
        return result
    }

    mutating func failure(_ detail: [String: Any]) throws(TLSRPTParseError) -> TLSFailureDetail {
        var result = TLSFailureDetail()
        if let type = string(detail, "result-type") {
            let lowered = type.lowercased()
            if let known = TLSResultType(rawValue: lowered) {
                if lowered != type { diagnostics.add(.enumCase, .note, "result-type '\(type)' read as '\(lowered)'") }
                result.resultType = .known(known)
            } else {
                diagnostics.add(.unknownValue, .note, "result-type '\(type)' is not in the registry; kept verbatim")
                result.resultType = .unknown(type)
            }
        }
        result.sendingMTAIP = string(detail, "sending-mta-ip")
        result.receivingMXHostname = domain(detail, "receiving-mx-hostname")
        result.receivingMXHelo = string(detail, "receiving-mx-helo")
        result.receivingIP = string(detail, "receiving-ip")
        result.failedSessions = try count(detail, "failed-session-count")
        result.additionalInformation = string(detail, "additional-information")
        if result.additionalInformation == nil, let uri = string(detail, "additional-info-uri") {
            diagnostics.add(.enumAlias, .note, "additional-info-uri read as additional-information")
            result.additionalInformation = uri
        }
        result.failureReasonCode = string(detail, "failure-reason-code")
        if result.failureReasonCode == nil, let code = string(detail, "failure-error-code") {
            diagnostics.add(
                .enumAlias, .note, "failure-error-code (the RFC example's spelling) read as failure-reason-code")
            result.failureReasonCode = code
        }
        return result
    }
}
