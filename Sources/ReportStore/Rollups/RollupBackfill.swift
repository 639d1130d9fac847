import DomainAlignment
import GRDB
import ReportModel

/// Brings a database stored before migration 004 up to date: recomputes every record's alignment and
/// rolls up every counted report. Runs once, inside that migration's transaction.
enum RollupBackfill {
    static func run(_ db: Database) throws {
        let check = AlignmentCheck()
        let update = try RawStatement(db, sql: "UPDATE record SET alignment = ? WHERE id = ?")
        try ReportDatabase.forEachRecord(db, ReportFilter(), includeVariants: true) { _, stored in
            update.bind(1, check.facts(for: stored.record).rawValue)
            update.bind(2, stored.id)
            try update.execute()
        }
        let reports = try Row.fetchAll(
            db,
            sql: """
                SELECT r.id, p.adkim, p.aspf FROM report r JOIN policy_published p ON p.report_id = r.id
                WHERE r.counted = 1 ORDER BY r.id
                """)
        for row in reports {
            try Rollups.add(
                report: row["id"], adkim: Reported<AlignmentMode>(stored: row["adkim"])?.word,
                aspf: Reported<AlignmentMode>(stored: row["aspf"])?.word, db)
        }
    }
}
