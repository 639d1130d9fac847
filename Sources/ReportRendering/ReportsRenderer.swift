import ReportModel

/// Output of `rua reports`.
public enum ReportsRenderer {
    public static func render(_ reports: [StoredReport], format: OutputFormat, context: OutputContext) -> String {
        switch format {
        case .text: text(reports, width: context.width) + "\n"
        case .json: context.document(rows: reports.map(json))
        case .ndjson: OutputContext.lines(reports.map(json))
        case .csv: csvDocument(reports)
        }
    }

    private static let columns = [
        "kind", "org_name", "email", "report_id", "policy_domain", "begin", "end", "records", "messages", "counted",
        "recovered", "records_pruned", "input", "part",
    ]

    static func text(_ reports: [StoredReport], width: Int) -> String {
        guard !reports.isEmpty else { return "no reports stored for this selection" }
        // Values to copy (domain, report id) come first and are never cut; the rest is clipped or left out,
        // from the right, to fit the width.
        let rows = reports.map { report -> [String] in
            let note = [
                report.counted ? nil : "variant, not counted", report.recovered ? "recovered" : nil,
                report.recordsPruned ? "records pruned" : nil,
            ]
            .compactMap { $0 }.joined(separator: ", ")
            return [
                TimeFormat.date(report.begin), report.policyDomain, report.reportID, grouped(report.messages),
                report.orgName ?? "–", grouped(report.records), note, TimeFormat.date(report.end),
                report.kind.rawValue,
            ]
        }
        let lines = TextDocument.fitted(
            Document.Table(
                header: ["begin", "domain", "report id", "messages", "reporter", "records", "note", "end", "kind"],
                rows: rows, numeric: [3, 5]),
            width: width)
        let total = reports.reduce(Int64(0)) { $0.saturatingAdd($1.counted && $1.kind == .dmarc ? $1.messages : 0) }
        let sessions = reports.reduce(Int64(0)) { $0.saturatingAdd($1.counted && $1.kind == .tlsrpt ? $1.messages : 0) }
        var footer = "\(counted(reports.count, "report")), \(counted(total, "message"))"
        if reports.contains(where: { $0.kind == .tlsrpt }) {
            footer += ", \(counted(sessions, "TLS session")) (TLS reports: records are policies, messages sessions)"
        }
        return (lines + [footer]).joined(separator: "\n")
    }

    static func json(_ report: StoredReport) -> JSONValue {
        JSONValue.object([
            ("kind", .string(report.kind.rawValue)),
            ("org_name", .string(report.orgName)),
            ("email", .string(report.email)),
            ("report_id", .string(report.reportID)),
            ("policy_domain", .string(report.policyDomain)),
            ("begin", .time(report.begin)),
            ("end", .time(report.end)),
            ("records", .int(report.records)),
            ("messages", .int(report.messages)),
            ("counted", .bool(report.counted)),
            ("recovered", .bool(report.recovered)),
            ("records_pruned", .bool(report.recordsPruned)),
            ("input", .string(report.input)),
            ("part", .string(report.part)),
        ])
    }

    static func csvDocument(_ reports: [StoredReport]) -> String {
        csv(
            columns,
            reports.map { report in
                [
                    report.kind.rawValue, report.orgName ?? "", report.email ?? "", report.reportID,
                    report.policyDomain,
                    TimeFormat.csv(report.begin), TimeFormat.csv(report.end), String(report.records),
                    String(report.messages), report.counted ? "true" : "false", report.recovered ? "true" : "false",
                    report.recordsPruned ? "true" : "false", report.input, report.part ?? "",
                ]
            })
    }
}
