import ReportModel

/// Output of `rua stats`.
public enum StatsRenderer {
    public static func render(_ stats: DatabaseStatistics, format: OutputFormat, context: OutputContext) -> String {
        let rows = stats.tables.map { table in
            JSONValue.object([("table", .string(table.name)), ("rows", .int(table.rows)), ("bytes", .int(table.bytes))])
        }
        switch format {
        case .text: return text(stats, width: context.width)
        case .json: return context.document(rows: rows, extra: sections(stats))
        case .ndjson: return OutputContext.lines(rows)
        case .csv:
            return csv(["table", "rows", "bytes"], stats.tables.map { [$0.name, String($0.rows), String($0.bytes)] })
        }
    }

    static func sections(_ stats: DatabaseStatistics) -> [(String, JSONValue)] {
        [
            ("path", .string(stats.path)), ("engine", .string(stats.engine.rawValue)),
            ("file_bytes", .int(stats.fileBytes)), ("log_bytes", .int(stats.logBytes)),
            ("free_bytes", .int(stats.freeBytes)), ("inputs", .int(stats.inputs)),
            ("inputs_kept_with_reason", .int(stats.keptWithReason)), ("reports", .int(stats.reports)),
            ("tls_reports", .int(stats.tlsReports)), ("records", .int(stats.records)),
            ("policy_domains", .int(stats.policyDomains)), ("first_report_begin", .time(stats.firstReport)),
            ("last_report_begin", .time(stats.lastReport)),
        ]
    }

    static func text(_ stats: DatabaseStatistics, width: Int) -> String {
        let range =
            stats.firstReport.map { first in
                "reports beginning \(TimeFormat.date(first)) to \(TimeFormat.date(stats.lastReport ?? first))"
            } ?? "no reports yet"
        let size =
            stats.engine == .postgresql
            ? "  \(megabytes(stats.fileBytes)) in PostgreSQL (the database's size, its indexes included)"
            : "  \(megabytes(stats.fileBytes)) on disk (\(megabytes(stats.freeBytes)) of it free), \(megabytes(stats.logBytes)) of log"
        var lines = [
            Escaping.terminal(stats.path),
            size,
            "  \(counted(stats.reports, "DMARC report")) (\(counted(stats.records, "record"))) and \(counted(stats.tlsReports, "TLS report")) for \(counted(stats.policyDomains, "policy domain")); \(range)",
            "  \(counted(stats.inputs, "input")) kept, \(grouped(stats.keptWithReason)) of them with a reason (rua quarantine list)",
            "",
        ]
        lines += TextDocument.fitted(
            Document.Table(
                header: ["table", "rows", "size"],
                rows: stats.tables.map { [$0.name, grouped($0.rows), megabytes($0.bytes)] }, numeric: [1, 2]),
            width: width
        ).map { "  " + $0 }
        return lines.joined(separator: "\n") + "\n"
    }

    static func megabytes(_ bytes: Int64) -> String {
        let tenths = (Double(bytes) / 100_000).rounded() / 10
        return "\(tenths) MB"
    }
}
