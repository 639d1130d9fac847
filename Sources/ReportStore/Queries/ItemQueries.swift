import GRDB
import ReportModel

enum ItemQueries {
    /// The items of one input, with their reports' identities.
    static func items(
        _ db: any SQLConnection, inputID: Int64, inputName: String, asDuplicates: Bool
    ) throws -> [ImportItem] {
        let rows = try db.rows(
            """
            SELECT item.id AS item_id, item.part, item.outcome, item.kind, item.reason,
                   COALESCE(report.org_name, tls.organization_name) AS org_name,
                   COALESCE(report.report_id, tls.report_id) AS report_id, report.policy_domain,
                   COALESCE(report.begin_utc, tls.begin_utc) AS begin_utc,
                   COALESCE(report.end_utc, tls.end_utc) AS end_utc, report.records, report.messages,
                   tls.id AS tls_id, tls.policies, tls.successful_sessions, tls.failed_sessions
            FROM item LEFT JOIN report ON report.id = item.report_id
            LEFT JOIN tls_report tls ON tls.id = item.tls_report_id
            WHERE item.input_id = ?
            ORDER BY item.id
            """,
            [inputID])
        return try rows.map { row in
            var outcome = ImportItem.Outcome(rawValue: row["outcome"]) ?? .rejected
            var reason: String? = row["reason"]
            if asDuplicates && (outcome == .stored || outcome == .duplicate) {
                outcome = .duplicate
                reason = "input already imported"
            }
            var item = ImportItem(
                input: inputName, part: row["part"], outcome: outcome,
                kind: (row["kind"] as String?).flatMap(ImportItem.Kind.init),
                orgName: row["org_name"], reportID: row["report_id"], policyDomain: row["policy_domain"],
                begin: row["begin_utc"], end: row["end_utc"], records: row["records"], messages: row["messages"],
                reason: reason)
            if let tlsID: Int64 = row["tls_id"] {
                item.policyDomains = try db.values(
                    String.self,
                    "SELECT policy_domain FROM tls_policy WHERE tls_report_id = ? AND policy_domain IS NOT NULL ORDER BY seq",
                    [tlsID])
                item.policies = row["policies"]
                item.successfulSessions = row["successful_sessions"]
                item.failedSessions = row["failed_sessions"]
            }
            return item
        }
    }
}
