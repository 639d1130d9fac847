import GRDB
import ReportModel
import ReportTestSupport
import Testing

@testable import ReportStore

/// The import's per-report look-ups go through the index made for them, whatever SQLite's planner would
/// pick on its own: a wrong pick makes every import slower as the database grows (a benchmark in
/// `Scripts/bench` measures the effect; this checks the cause).
@Suite struct QueryPlanTests {
    func plan(_ sql: String, in database: ReportDatabase) throws -> String {
        try database.queue.read { db in
            let arguments = StatementArguments(Array(repeating: 0, count: sql.filter { $0 == "?" }.count))
            return try Row.fetchAll(db, sql: "EXPLAIN QUERY PLAN " + sql, arguments: arguments)
                .map { $0["detail"] as String }.joined(separator: "; ")
        }
    }

    @Test(arguments: [
        (ImportStatements.reportsWithIdentitySQL(.sqlite), "USING COVERING INDEX report_identity"),
        (ImportStatements.tlsReportsWithIdentitySQL(.sqlite), "USING COVERING INDEX tls_report_identity"),
        (ReportDatabase.inputByDigest, "sqlite_autoindex_input_blob_1 (sha256=?)"),
    ])
    func identityLookUpsUseTheirIndex(_ sql: String, _ expected: String) throws {
        let temp = try TemporaryDirectory()
        let database = try temp.makeDatabase()
        let plan = try plan(sql, in: database)
        #expect(plan.contains(expected), "\(plan)")
        #expect(!plan.contains("SCAN"), "\(plan)")
    }
}
