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
                "begin", "end", "reporter", "report_id", "policy_domain", "policy_p", "policy_sp", "policy_pct",
                "source_ip", "count", "disposition", "policy_dkim", "policy_spf", "header_from", "envelope_from",
                "envelope_to",
            ] + auth + [
                "override_reasons", "dmarc_pass", "spf_aligned", "dkim_aligned", "reported_dmarc_pass", "disagreement",
            ]
        case .reports:
            return [
                "kind", "begin", "end", "reporter", "email", "report_id", "policy_domain", "records", "messages",
                "counted", "recovered", "diagnostics", "input", "part",
            ]
        case .sources:
            return [
                "policy_domain", "source_ip", "messages", "dmarc_pass", "dmarc_pass_rate_percent", "dkim_aligned",
                "spf_aligned", "header_from", "first_report_begin", "last_report_begin",
            ]
        case .tlsFailures:
            return [
                "begin", "end", "organization", "report_id", "policy_domain", "policy_type", "mode", "result_type",
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
            try database.forEachSource(filter) { domain, source, totals, headerFrom, first, last in
                try row([
                    .text(domain), .text(source), .integer(Int64(totals.messages)), .integer(Int64(totals.dmarcPass)),
                    .decimal(totals.rate(totals.dmarcPass).map { ($0 * 1000).rounded() / 10 }),
                    .integer(Int64(totals.dkimAligned)), .integer(Int64(totals.spfAligned)),
                    .text(headerFrom.joined(separator: ";")), .time(first), .time(last),
                ])
            }
        case .tlsFailures:
            try database.forEachTLSFailure(filter, row)
        }
    }

    private static func records(
        _ database: ReportDatabase, _ filter: ReportFilter, explode: Bool, _ row: ([ExportValue]) throws -> Void
    ) throws {
        try database.forEachRecord(filter) { context, stored in
            let record = stored.record
            let policy = context.policy
            let verdict = RecordVerdict(
                reportedDKIM: record.dkim, reportedSPF: record.spf, facts: stored.facts, adkim: policy.adkim?.word,
                aspf: policy.aspf?.word)
            var head: [ExportValue] = []
            head.reserveCapacity(30)
            head += [
                .time(context.begin), .time(context.end), .text(context.reporter), .text(context.reportID),
                .text(context.policyDomain), .text(policy.p?.text), .text(policy.sp?.text),
                .integer(policy.pct.map(Int64.init)), .text(record.sourceIP), .integer(record.count),
                .text(record.disposition?.text), .text(record.dkim?.text), .text(record.spf?.text),
                .text(record.headerFrom), .text(record.envelopeFrom), .text(record.envelopeTo),
            ]
            let tail: [ExportValue] = [
                .text(
                    record.reasons.map { [$0.type?.text ?? "", $0.comment].compactMap { $0 }.joined(separator: ":") }
                        .joined(separator: ";")),
                .boolean(verdict.computedDMARCPass), .boolean(verdict.computedSPFAligned),
                .boolean(verdict.computedDKIMAligned), .boolean(reportedPass(record)),
                .text(verdict.disagreement?.rawValue),
            ]
            guard explode else {
                let dkim = record.dkimResults.map {
                    "\($0.domain ?? ""):\($0.selector ?? ""):\($0.result?.text ?? "")"
                }
                let spf = record.spfResults.map {
                    "\($0.domain ?? ""):\($0.scope?.text ?? ""):\($0.result?.text ?? "")"
                }
                head.append(.text(dkim.joined(separator: ";")))
                head.append(.text(spf.joined(separator: ";")))
                head += tail
                try row(head)
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
            for values in auth { try row(head + values + tail) }
        }
    }

    /// The reporter's own DMARC verdict (policy_evaluated), nil when it gave neither side as pass/fail.
    private static func reportedPass(_ record: ReportRecord) -> Bool? {
        guard record.dkim?.word != nil || record.spf?.word != nil else { return nil }
        return record.passesDMARC
    }
}
