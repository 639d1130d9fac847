import GRDB
import ReportModel

extension ReportDatabase {
    /// Every TLS failure detail of the counted TLS reports `filter` selects, as export rows.
    public func forEachTLSFailure(_ filter: ReportFilter, _ body: ([ExportValue]) throws -> Void) throws {
        try read { db in
            let (condition, arguments) = Self.condition(
                filter, begin: "t.begin_utc", domain: "COALESCE(p.policy_domain, '') = ?", extra: ["t.counted = 1"])
            try db.forEachRow(
                """
                SELECT t.begin_utc, t.end_utc, t.organization_name, t.report_id, p.policy_domain, p.policy_type,
                       p.mode, f.result_type, f.sending_mta_ip, f.receiving_mx_hostname, f.receiving_mx_helo,
                       f.receiving_ip, f.failed_sessions, f.failure_reason_code, f.additional_information
                FROM tls_failure f JOIN tls_policy p ON p.id = f.tls_policy_id JOIN tls_report t ON t.id = p.tls_report_id
                WHERE \(condition)
                ORDER BY t.begin_utc, t.id, p.seq, f.id
                """,
                arguments
            ) { row in
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
