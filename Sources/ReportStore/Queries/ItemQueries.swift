import GRDB
import ReportModel

enum ItemQueries {
    /// The items of one input, with their reports' identities.
    static func items(_ db: Database, inputID: Int64, inputName: String, asDuplicates: Bool) throws -> [ImportItem] {
        let rows = try Row.fetchAll(
            db,
            sql: """
                SELECT item.id AS item_id, item.part, item.outcome, item.kind, item.reason, report.org_name,
                       report.report_id, report.policy_domain, report.begin_utc, report.end_utc, report.records,
                       report.messages
                FROM item LEFT JOIN report ON report.id = item.report_id
                WHERE item.input_id = ?
                ORDER BY item.id
                """,
            arguments: [inputID])
        return rows.map { row in
            var outcome = ImportItem.Outcome(rawValue: row["outcome"]) ?? .rejected
            var reason: String? = row["reason"]
            if asDuplicates && (outcome == .stored || outcome == .duplicate) {
                outcome = .duplicate
                reason = "input already imported"
            }
            return ImportItem(
                input: inputName, part: row["part"], outcome: outcome,
                kind: (row["kind"] as String?).flatMap(ImportItem.Kind.init),
                orgName: row["org_name"], reportID: row["report_id"], policyDomain: row["policy_domain"],
                begin: row["begin_utc"], end: row["end_utc"], records: row["records"], messages: row["messages"],
                reason: reason)
        }
    }
}
