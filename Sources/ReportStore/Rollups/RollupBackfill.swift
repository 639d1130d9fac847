import DomainAlignment
import GRDB
import ReportModel

/// Brings a database stored before migration 004 up to date: recomputes every record's alignment and
/// rolls up every counted report. Runs once, inside that migration's transaction, so it reads records
/// as they were laid out then (all auth results in the child tables).
enum RollupBackfill {
    static func run(_ db: Database) throws {
        let check = AlignmentCheck()
        let update = try RawStatement(db, sql: "UPDATE record SET alignment = ? WHERE id = ?")
        try ReportDatabase.forEachRecord(
            db, ReportFilter(), includeVariants: true, layout: .allInChildTables
        ) { _, stored in
            update.bind(1, check.facts(for: stored.record).rawValue)
            update.bind(2, stored.id)
            try update.execute()
        }
        // Counted reports only; each report's records come together.
        let statements = try RollupStatements(db)
        var open: (context: RecordContext, rollup: RollupAccumulator)?
        func writeOpen() throws {
            guard let (context, rollup) = open else { return }
            try rollup.write(
                report: context.reportRowID, adkim: context.policy.adkim?.word, aspf: context.policy.aspf?.word,
                begin: context.begin, policyDomain: context.policyDomain, statements)
        }
        try ReportDatabase.forEachRecord(db, ReportFilter(), layout: .allInChildTables) { context, stored in
            if open?.context.reportRowID != context.reportRowID {
                try writeOpen()
                open = (context, RollupAccumulator())
            }
            try open?.rollup.add(stored.record, facts: stored.facts)
        }
        try writeOpen()
        // Counted reports without records roll up to zeros, as they do at import.
        try db.run(
            """
            INSERT INTO report_rollup (report_id, messages, dmarc_pass, dkim_aligned, spf_aligned, computed_pass,
                                       unsupported_pass, contradicting_fail, disagreeing_records, quarantine, reject)
            SELECT id, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0 FROM report
            WHERE counted = 1 AND id NOT IN (SELECT report_id FROM report_rollup)
            """)
    }
}
