import GRDB
import ReportModel

extension ReportDatabase {
    /// Per policy domain and source over the reports `filter` selects (counted only), from the rollups,
    /// most messages first.
    public func forEachSource(
        _ filter: ReportFilter,
        _ body: (
            _ domain: String, _ source: String, _ totals: MessageTotals, _ headerFrom: [String], _ first: Int64,
            _ last: Int64
        ) throws -> Void
    ) throws {
        try read { db in
            let (condition, arguments) = Self.condition(filter, begin: "s.begin_utc", domain: "s.policy_domain = ?")
            let rows = try Row.fetchCursor(
                db,
                sql: """
                    SELECT s.policy_domain, s.source_ip, TOTAL(s.messages) AS messages, TOTAL(s.dmarc_pass) AS pass,
                           TOTAL(s.dkim_aligned) AS dkim, TOTAL(s.spf_aligned) AS spf,
                           GROUP_CONCAT(DISTINCT s.header_from) AS header_from, MIN(s.begin_utc) AS first,
                           MAX(s.begin_utc) AS last
                    FROM source_rollup s WHERE \(condition)
                    GROUP BY s.policy_domain, s.source_ip
                    ORDER BY messages DESC, s.policy_domain, s.source_ip
                    """,
                arguments: arguments)
            while let row = try rows.next() {
                var totals = MessageTotals()
                totals.messages = row["messages"]
                totals.dmarcPass = row["pass"]
                totals.dkimAligned = row["dkim"]
                totals.spfAligned = row["spf"]
                try body(
                    row["policy_domain"], row["source_ip"], totals, Self.list(row["header_from"]), row["first"],
                    row["last"])
            }
        }
    }

    /// Every TLS failure detail of the counted TLS reports `filter` selects, as export rows.
    public func forEachTLSFailure(_ filter: ReportFilter, _ body: ([ExportValue]) throws -> Void) throws {
        try read { db in
            let (condition, arguments) = Self.condition(
                filter, begin: "t.begin_utc", domain: "COALESCE(p.policy_domain, '') = ?", extra: ["t.counted = 1"])
            let rows = try Row.fetchCursor(
                db,
                sql: """
                    SELECT t.begin_utc, t.end_utc, t.organization_name, t.report_id, p.policy_domain, p.policy_type,
                           p.mode, f.result_type, f.sending_mta_ip, f.receiving_mx_hostname, f.receiving_mx_helo,
                           f.receiving_ip, f.failed_sessions, f.failure_reason_code, f.additional_information
                    FROM tls_failure f JOIN tls_policy p ON p.id = f.tls_policy_id JOIN tls_report t ON t.id = p.tls_report_id
                    WHERE \(condition)
                    ORDER BY t.begin_utc, t.id, p.seq, f.id
                    """,
                arguments: arguments)
            while let row = try rows.next() {
                try body([
                    .time(row["begin_utc"]), .time(row["end_utc"]), .text(row["organization_name"]),
                    .text(row["report_id"]), .text(row["policy_domain"]), .text(row["policy_type"]), .text(row["mode"]),
                    .text(row["result_type"]), .text(row["sending_mta_ip"]), .text(row["receiving_mx_hostname"]),
                    .text(row["receiving_mx_helo"]), .text(row["receiving_ip"]), .integer(row["failed_sessions"]),
                    .text(row["failure_reason_code"]), .text(row["additional_information"]),
                ])
            }
        }
    }
}
