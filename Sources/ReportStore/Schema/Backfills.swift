import DomainAlignment
import GRDB
import ReportModel

/// Work a migration leaves to application code, run after every migration has: a migration is SQL
/// only, so that the schema's history never depends on today's Swift types. A migration that needs such
/// work inserts a step into `backfill`; each step is idempotent (it only fills what is missing) and runs
/// in one transaction, removing its step on commit, so an interrupted step runs again from the start
/// the next time the database is opened.
enum Backfills {
    /// Runs the steps that are pending; other processes opening the database meanwhile wait for it.
    static func runPending(_ queue: DatabaseQueue) throws {
        // Most openings find nothing to do, without taking the write lock.
        let pending = try queue.read { db in
            try db.tableExists("backfill") && (try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM backfill") ?? 0) > 0
        }
        guard pending else { return }
        // IMMEDIATE: processes opening a new database together wait here for the first to finish,
        // rather than all reading the steps and then failing to write.
        try queue.inTransaction(.immediate) { db in
            for step in try String.fetchAll(db, sql: "SELECT step FROM backfill ORDER BY step") {
                switch step {
                case "alignment-and-rollups": try alignmentAndRollups(SQLiteConnection(db))
                default: continue
                }
                try db.execute(sql: "DELETE FROM backfill WHERE step = ?", arguments: [step])
            }
            return .commit
        }
    }

    /// Migration 004's step: every record's alignment computed from its auth results, and every counted
    /// report without a rollup rolled up.
    static func alignmentAndRollups(_ db: any SQLConnection) throws {
        let check = AlignmentCheck()
        let update = try db.prepare("UPDATE record SET alignment = ? WHERE id = ? AND alignment IS NULL")
        try ReportDatabase.forEachRecord(db, ReportFilter(), includeVariants: true) { _, stored in
            update.bind(1, check.facts(for: stored.record).rawValue)
            update.bind(2, stored.id)
            try update.execute()
        }
        let rolledUp = Set(try db.values(Int64.self, "SELECT report_id FROM report_rollup"))
        // Counted reports only; each report's records come together.
        let statements = try RollupStatements(db)
        var open: (context: RecordContext, rollup: RollupAccumulator)?
        func writeOpen() throws {
            guard let (context, rollup) = open, !rolledUp.contains(context.reportRowID) else { return }
            try rollup.write(
                report: context.reportRowID, adkim: context.policy.adkim?.word, aspf: context.policy.aspf?.word,
                begin: context.begin, policyDomain: context.policyDomain, statements)
        }
        try ReportDatabase.forEachRecord(db, ReportFilter()) { context, stored in
            if open?.context.reportRowID != context.reportRowID {
                try writeOpen()
                open = (context, RollupAccumulator())
            }
            try open?.rollup.add(stored.record, facts: stored.facts)
        }
        try writeOpen()
        // Counted reports without records roll up to zeros, as they do at import.
        try db.execute(
            """
            INSERT INTO report_rollup (report_id, messages, dmarc_pass, dkim_aligned, spf_aligned, computed_pass,
                                       unsupported_pass, contradicting_fail, disagreeing_records, quarantine, reject)
            SELECT id, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0 FROM report
            WHERE counted = 1 AND id NOT IN (SELECT report_id FROM report_rollup)
            """)
    }
}
