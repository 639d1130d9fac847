import DomainAlignment
import ReportModel
import ReportStore

/// The rows of `rua export`: columns first, then each row, streamed to `row` in constant memory.
public enum Exports {
    public static func columns(_ kind: ExportKind, explode: Bool = false) -> [String] {
        switch kind {
        case .records:
            let auth =
                explode
                ? ["auth_type", "auth_domain", "auth_selector", "auth_scope", "auth_result", "auth_human_result"]
                : ["dkim_results", "spf_results"]
            return [
                "begin", "end", "org_name", "report_id", "policy_domain", "policy_p", "policy_sp", "policy_pct",
                "source_ip", "count", "disposition", "policy_dkim", "policy_spf", "header_from", "envelope_from",
                "envelope_to",
            ] + auth + [
                "override_reasons", "dmarc_pass", "spf_aligned", "dkim_aligned", "reported_dmarc_pass", "disagreement",
            ]
        case .reports:
            return [
                "kind", "begin", "end", "org_name", "email", "report_id", "policy_domain", "records", "messages",
                "counted", "recovered", "diagnostics", "input", "part",
            ]
        case .sources:
            return [
                "policy_domain", "source_ip", "messages", "dmarc_pass", "dmarc_pass_rate", "dkim_aligned",
                "spf_aligned", "header_from", "first_report_begin", "last_report_begin",
            ]
        case .tlsFailures:
            return [
                "begin", "end", "org_name", "report_id", "policy_domain", "policy_type", "mode", "result_type",
                "sending_mta_ip", "receiving_mx_hostname", "receiving_mx_helo", "receiving_ip", "failed_sessions",
                "failure_reason_code", "additional_information",
            ]
        }
    }

    public static func export(
        _ kind: ExportKind, from database: ReportDatabase, filter: ReportFilter, explode: Bool = false,
        row: ([ExportValue]) throws -> Void
    ) throws {
        switch kind {
        case .records: try records(database, filter, explode: explode, row)
        case .reports:
            for report in try database.reports(filter) {
                try row([
                    .text(report.kind.rawValue), .time(report.begin), .time(report.end), .text(report.orgName),
                    .text(report.email), .text(report.reportID), .text(report.policyDomain),
                    .integer(Int64(report.records)), .integer(report.messages), .boolean(report.counted),
                    .boolean(report.recovered), .integer(Int64(report.diagnostics)), .text(report.input),
                    .text(report.part),
                ])
            }
        case .sources:
            try database.forEachSource(filter, perPolicyDomain: true) { source in
                let totals = source.totals
                try row([
                    .text(source.policyDomains.first), .text(source.sourceIP),
                    .integer(Int64(saturating: totals.messages)),
                    .integer(Int64(saturating: totals.dmarcPass)),
                    .decimal(totals.rate(totals.dmarcPass).map { ($0 * 10_000).rounded() / 10_000 }),
                    .integer(Int64(saturating: totals.dkimAligned)), .integer(Int64(saturating: totals.spfAligned)),
                    .list(source.headerFrom), .time(source.firstBegin), .time(source.lastBegin),
                ])
            }
        case .tlsFailures:
            try database.forEachTLSFailure(filter, row)
        }
    }

    private static func records(
        _ database: ReportDatabase, _ filter: ReportFilter, explode: Bool, _ row: ([ExportValue]) throws -> Void
    ) throws {
        // One row buffer for the whole export: its storage is reused rather than allocated per record.
        var values: [ExportValue] = []
        values.reserveCapacity(32)
        try database.forEachRecord(filter) { context, stored in
            let record = stored.record
            let policy = context.policy
            let verdict = RecordVerdict(
                reportedDKIM: record.dkim, reportedSPF: record.spf, facts: stored.facts, adkim: policy.adkim?.word,
                aspf: policy.aspf?.word)
            func head() {
                values.removeAll(keepingCapacity: true)
                values.append(.time(context.begin))
                values.append(.time(context.end))
                values.append(.text(context.reporter))
                values.append(.text(context.reportID))
                values.append(.text(context.policyDomain))
                values.append(.text(policy.p?.text))
                values.append(.text(policy.sp?.text))
                values.append(.integer(policy.pct.map(Int64.init)))
                values.append(.text(record.sourceIP))
                values.append(.integer(record.count))
                values.append(.text(record.disposition?.text))
                values.append(.text(record.dkim?.text))
                values.append(.text(record.spf?.text))
                values.append(.text(record.headerFrom))
                values.append(.text(record.envelopeFrom))
                values.append(.text(record.envelopeTo))
            }
            func tail() {
                var reasons: [String?] = []
                reasons.reserveCapacity(record.reasons.count * 2)
                for reason in record.reasons {
                    reasons.append(reason.type?.text)
                    reasons.append(reason.comment)
                }
                values.append(.objects(keys: Self.reasonKeys, fields: reasons))
                values.append(.boolean(verdict.computedDMARCPass))
                values.append(.boolean(verdict.computedSPFAligned))
                values.append(.boolean(verdict.computedDKIMAligned))
                values.append(.boolean(reportedPass(record)))
                values.append(.text(verdict.disagreement?.rawValue))
            }
            guard explode else {
                head()
                values.append(
                    .objects(
                        keys: Self.dkimKeys,
                        fields: fields(record.dkimResults) { ($0.domain, $0.selector, $0.result?.text) }))
                values.append(
                    .objects(
                        keys: Self.spfKeys,
                        fields: fields(record.spfResults) { ($0.domain, $0.scope?.text, $0.result?.text) }
                    ))
                tail()
                try row(values)
                return
            }
            var auth: [[ExportValue]] = record.dkimResults.map {
                [
                    .text("dkim"), .text($0.domain), .text($0.selector), .text(nil), .text($0.result?.text),
                    .text($0.humanResult),
                ]
            }
            auth += record.spfResults.map {
                [
                    .text("spf"), .text($0.domain), .text(nil), .text($0.scope?.text), .text($0.result?.text),
                    .text($0.humanResult),
                ]
            }
            if auth.isEmpty { auth = [Array(repeating: .text(nil), count: 6)] }
            for result in auth {
                head()
                values += result
                tail()
                try row(values)
            }
        }
    }

    private static let dkimKeys = ["domain", "selector", "result"]
    private static let spfKeys = ["domain", "scope", "result"]
    private static let reasonKeys = ["type", "comment"]

    /// The three fields of each item, one after the other.
    private static func fields<Item>(_ items: [Item], _ parts: (Item) -> (String?, String?, String?)) -> [String?] {
        var fields: [String?] = []
        fields.reserveCapacity(items.count * 3)
        for item in items {
            let (first, second, third) = parts(item)
            fields.append(first)
            fields.append(second)
            fields.append(third)
        }
        return fields
    }

    /// The reporter's own DMARC verdict (policy_evaluated), nil when it gave neither side as pass/fail.
    private static func reportedPass(_ record: ReportRecord) -> Bool? {
        guard record.dkim?.word != nil || record.spf?.word != nil else { return nil }
        return record.passesDMARC
    }
}
