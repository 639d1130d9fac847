import GRDB
import ReportModel

/// Reads records back with their DKIM, SPF and override rows. A report's records have contiguous ids
/// and their children ids derived from them, so four range queries stepped side by side (a merge join
/// on the record id) give every record with its children, in order, in constant memory. A record's
/// first DKIM and SPF results are in its own row when `inline_auth` says so (records stored before
/// migration 006 have all of them in the child tables).
struct RecordReader {
    private let records: any PreparedSQL
    private let dkim: any PreparedSQL
    private let spf: any PreparedSQL
    private let reasons: any PreparedSQL

    init(_ db: any SQLConnection) throws {
        records = try db.steppedQuery(
            """
            SELECT id, source_ip, count, disposition, dkim, spf, envelope_to, envelope_from, header_from,
                   alignment, extensions, inline_auth, dkim1_domain, dkim1_selector, dkim1_result,
                   dkim1_human_result, spf1_domain, spf1_scope, spf1_result, spf1_human_result
            FROM record WHERE id BETWEEN ? AND ? AND report_id = ? ORDER BY id
            """)
        dkim = try db.steppedQuery(
            """
            SELECT id, domain, selector, result, human_result FROM dkim_result_extra
            WHERE id BETWEEN ? AND ? ORDER BY id
            """)
        spf = try db.steppedQuery(
            """
            SELECT id, domain, scope, result, human_result FROM spf_result_extra
            WHERE id BETWEEN ? AND ? ORDER BY id
            """)
        reasons = try db.steppedQuery(
            "SELECT id, type, comment FROM override_reason WHERE id BETWEEN ? AND ? ORDER BY id")
    }

    /// Hands every record with id in `first...last` to `body`, in id order.
    func read(report: Int64, _ first: Int64, _ last: Int64, _ body: (StoredRecord) throws -> Void) throws {
        let (childLow, childHigh) = (RecordIDs.child(first, 0), RecordIDs.child(last, 65_535))
        var dkimCursor = try Cursor(dkim, childLow, childHigh)
        var spfCursor = try Cursor(spf, childLow, childHigh)
        var reasonCursor = try Cursor(reasons, childLow, childHigh)
        defer {
            records.reset()
            dkim.reset()
            spf.reset()
            reasons.reset()
        }
        records.bind(1, first)
        records.bind(2, last)
        records.bind(3, report)
        while try records.step() {
            let id = records.int64(0)
            var record = ReportRecord()
            record.sourceIP = records.text(1) ?? ""
            record.count = records.int64(2)
            record.disposition = Reported(stored: records.text(3))
            record.dkim = Reported(stored: records.text(4))
            record.spf = Reported(stored: records.text(5))
            record.envelopeTo = records.text(6)
            record.envelopeFrom = records.text(7)
            record.headerFrom = records.text(8)
            record.extensions = records.text(10).map { $0.split(separator: "\n").map(String.init) } ?? []
            let inline = records.int64(11)
            if inline & 1 != 0 {
                record.dkimResults.append(
                    DKIMAuthResult(
                        domain: records.text(12), selector: records.text(13),
                        result: Reported(stored: records.text(14)),
                        humanResult: records.text(15)))
            }
            if inline & 2 != 0 {
                record.spfResults.append(
                    SPFAuthResult(
                        domain: records.text(16), scope: Reported(stored: records.text(17)),
                        result: Reported(stored: records.text(18)), humanResult: records.text(19)))
            }
            try dkimCursor.children(of: id) { row in
                record.dkimResults.append(
                    DKIMAuthResult(
                        domain: row.text(1), selector: row.text(2), result: Reported(stored: row.text(3)),
                        humanResult: row.text(4)))
            }
            try spfCursor.children(of: id) { row in
                record.spfResults.append(
                    SPFAuthResult(
                        domain: row.text(1), scope: Reported(stored: row.text(2)),
                        result: Reported(stored: row.text(3)),
                        humanResult: row.text(4)))
            }
            try reasonCursor.children(of: id) { row in
                record.reasons.append(OverrideReason(type: Reported(stored: row.text(1)), comment: row.text(2)))
            }
            try body(StoredRecord(id: id, record: record, facts: AlignmentFacts(rawValue: records.int64(9))))
        }
    }

    /// A child table's rows over a range, stepped along with the records.
    private struct Cursor {
        let statement: any PreparedSQL
        var hasRow: Bool

        init(_ statement: any PreparedSQL, _ low: Int64, _ high: Int64) throws {
            self.statement = statement
            statement.bind(1, low)
            statement.bind(2, high)
            hasRow = try statement.step()
        }

        /// Hands the rows belonging to record `id` to `row`, skipping any of earlier records.
        mutating func children(of id: Int64, _ row: (any PreparedSQL) -> Void) throws {
            while hasRow {
                let owner = statement.int64(0) >> 16
                if owner > id { return }
                if owner == id { row(statement) }
                hasRow = try statement.step()
            }
        }
    }
}

extension ReportDatabase {
    /// Every record of the reports `filter` selects (counted reports only unless `includeVariants`),
    /// oldest report first, each with its report's context. Runs in one read transaction.
    public func forEachRecord(
        _ filter: ReportFilter, includeVariants: Bool = false,
        _ body: (RecordContext, StoredRecord) throws -> Void
    ) throws {
        try read { db in try Self.forEachRecord(db, filter, includeVariants: includeVariants, body) }
    }

    static func forEachRecord(
        _ db: any SQLConnection, _ filter: ReportFilter, includeVariants: Bool = false,
        _ body: (RecordContext, StoredRecord) throws -> Void
    ) throws {
        let (condition, arguments) = condition(filter, alias: "r")
        let reader = try RecordReader(db)
        try db.forEachRow(
            """
            SELECT r.id, COALESCE(r.org_name, r.reporter) AS reporter, r.report_id, r.begin_utc, r.end_utc,
                   r.first_record, r.last_record, p.domain, p.adkim, p.aspf, p.p, p.sp, p.np, p.pct, p.testing,
                   p.discovery_method, p.fo
            FROM report r JOIN policy_published p ON p.report_id = r.id
            WHERE \(condition) AND r.first_record IS NOT NULL \(includeVariants ? "" : "AND r.counted = 1")
            ORDER BY r.begin_utc, r.id
            """,
            arguments
        ) { row in
            var policy = PolicyPublished()
            policy.domain = row["domain"]
            policy.adkim = Reported(stored: row["adkim"])
            policy.aspf = Reported(stored: row["aspf"])
            policy.p = Reported(stored: row["p"])
            policy.sp = Reported(stored: row["sp"])
            policy.np = Reported(stored: row["np"])
            policy.pct = row["pct"]
            policy.testing = Reported(stored: row["testing"])
            policy.discoveryMethod = Reported(stored: row["discovery_method"])
            policy.fo = row["fo"]
            let context = RecordContext(
                reportRowID: row["id"], reporter: row["reporter"], reportID: row["report_id"], policy: policy,
                begin: row["begin_utc"], end: row["end_utc"])
            try reader.read(report: row["id"], row["first_record"], row["last_record"]) { try body(context, $0) }
        }
    }
}
