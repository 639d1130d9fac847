import Foundation
import ReportModel

/// What the parser made of one TLS report.
public struct ParsedTLSReport: Sendable, Equatable {
    public var report: TLSReport
    public var diagnostics: [Diagnostic]
}

/// Turns RFC 8460 JSON into a ``TLSReport``, leniently: every deviation real reporters make is read
/// where its meaning is clear, with a coded diagnostic. A pure function of its input.
public struct TLSRPTParser: Sendable {
    public init() {}

    /// - Throws: ``TLSRPTParseError`` when the bytes are not JSON, not a TLS report, or lack the report
    ///   id or a usable date range.
    public func parse(_ bytes: [UInt8]) throws -> ParsedTLSReport {
        let object: Any
        do {
            object = try JSONSerialization.jsonObject(with: Data(bytes), options: [.fragmentsAllowed])
        } catch {
            throw TLSRPTParseError("not valid JSON: \(Self.reason(error))")
        }
        guard let root = object as? [String: Any], root["policies"] != nil || root["report-id"] != nil else {
            throw TLSRPTParseError("JSON is not an SMTP TLS report (no \"policies\" or \"report-id\")")
        }
        var fields = Fields(diagnostics: DiagnosticCollector())
        let organization = fields.string(root, "organization-name")
        if organization == nil {
            fields.diagnostics.add(.missingOrgName, .warning, "organization-name is missing or empty")
        }
        if root["contact-info"] is NSNull {
            fields.diagnostics.add(.emptyElement, .note, "contact-info is null")
        }
        let contact = fields.string(root, "contact-info")
        guard let reportID = fields.string(root, "report-id") else { throw TLSRPTParseError("report-id is missing") }
        let range = root["date-range"] as? [String: Any] ?? [:]
        let begin = try fields.datetime(range, "start-datetime")
        let end = try fields.datetime(range, "end-datetime")
        if begin > end {
            fields.diagnostics.add(.oddDateRange, .warning, "date-range starts after it ends")
        }
        guard let policies = root["policies"] as? [Any] else {
            throw TLSRPTParseError("policies is missing or not a list")
        }
        guard policies.count <= Self.maxPolicies else {
            throw TLSRPTParseError(
                "\(policies.count) policies: more than any real report holds (the limit is \(Self.maxPolicies))")
        }
        var parsed: [TLSPolicy] = []
        var details = 0
        var sessions: Int64 = 0
        for element in policies {
            guard let entry = element as? [String: Any] else {
                fields.diagnostics.add(.unknownValue, .warning, "an element of policies is not an object; ignored")
                continue
            }
            details += (entry["failure-details"] as? [Any])?.count ?? 0
            guard details <= Self.maxFailureDetails else {
                throw TLSRPTParseError(
                    "more than \(Self.maxFailureDetails) failure details: more than any real report holds")
            }
            let policy = try fields.policy(entry)
            sessions += policy.successfulSessions + policy.failedSessions
            guard sessions <= CountLimits.perReport else {
                throw TLSRPTParseError(
                    "the report's session counts add up to more than \(CountLimits.perReport.grouped), "
                        + "more than any real report counts")
            }
            parsed.append(policy)
        }
        let report = TLSReport(
            organizationName: organization, contactInfo: contact, reportID: reportID, begin: begin, end: end,
            policies: parsed)
        return ParsedTLSReport(report: report, diagnostics: fields.diagnostics.diagnostics)
    }

    /// The largest TLS report parsed, in bytes of JSON: about 7,000 failure details. A report is parsed
    /// whole, in memory some thirty times its size; real reports are a few kilobytes.
    public static let maxReportBytes = 1 << 20

    /// Policies in one report: a domain publishes one STS and one TLSA policy per MX host, and reports
    /// name a few of them.
    static let maxPolicies = 10_000
    /// Failure details in one report, all policies together: each is one (result type, sending IP,
    /// receiving MX) combination of the day.
    static let maxFailureDetails = 100_000

    private static func reason(_ error: any Error) -> String {
        let text = "\((error as NSError).userInfo[NSDebugDescriptionErrorKey] ?? error.localizedDescription)"
        return text.isEmpty ? "\(error)" : text
    }
}
