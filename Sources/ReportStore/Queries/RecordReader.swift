import GRDB
import ReportModel

/// Reads records back with their DKIM, SPF and override rows, report by report and in chunks of a
/// report's contiguous id range, so memory stays flat however many records a query covers.
struct RecordReader {
    static let chunk: Int64 = 4096

    private let records: RawStatement
    private let dkim: RawStatement
    private let spf: RawStatement
    private let reasons: RawStatement

    init(_ db: Database) throws {
        records = try RawStatement(
            db,
            sql: """
                SELECT id, source_ip, count, disposition, dkim, spf, envelope_to, envelope_from, header_from,
                       alignment, extensions
                FROM record WHERE id BETWEEN ? AND ? ORDER BY id
                """)
        dkim = try RawStatement(
            db, sql: "SELECT id, domain, selector, result, human_result FROM dkim_result WHERE id BETWEEN ? AND ?")
        spf = try RawStatement(
            db, sql: "SELECT id, domain, scope, result, human_result FROM spf_result WHERE id BETWEEN ? AND ?")
        reasons = try RawStatement(db, sql: "SELECT id, type, comment FROM override_reason WHERE id BETWEEN ? AND ?")
    }

    /// Hands every record with id in `first...last` to `body`, in id order.
    func read(_ first: Int64, _ last: Int64, _ body: (StoredRecord) throws -> Void) throws {
        var low = first
        while low <= last {
            let high = min(last, low + Self.chunk - 1)
            try readChunk(low, high, body)
            low = high + 1
        }
    }

    private func readChunk(_ low: Int64, _ high: Int64, _ body: (StoredRecord) throws -> Void) throws {
        let (childLow, childHigh) = (RecordInserter.childID(low, 0), RecordInserter.childID(high, 65_535))
        var dkimResults: [Int64: [DKIMAuthResult]] = [:]
        try rows(dkim, childLow, childHigh) { statement in
            dkimResults[statement.int64(0) >> 16, default: []].append(
                DKIMAuthResult(
                    domain: statement.text(1), selector: statement.text(2), result: Reported(stored: statement.text(3)),
                    humanResult: statement.text(4)))
        }
        var spfResults: [Int64: [SPFAuthResult]] = [:]
        try rows(spf, childLow, childHigh) { statement in
            spfResults[statement.int64(0) >> 16, default: []].append(
                SPFAuthResult(
                    domain: statement.text(1), scope: Reported(stored: statement.text(2)),
                    result: Reported(stored: statement.text(3)), humanResult: statement.text(4)))
        }
        var overrides: [Int64: [OverrideReason]] = [:]
        try rows(reasons, childLow, childHigh) { statement in
            overrides[statement.int64(0) >> 16, default: []].append(
                OverrideReason(type: Reported(stored: statement.text(1)), comment: statement.text(2)))
        }
        var stored: [StoredRecord] = []
        try rows(records, low, high) { statement in
            let id = statement.int64(0)
            var record = ReportRecord()
            record.sourceIP = statement.text(1) ?? ""
            record.count = statement.int64(2)
            record.disposition = Reported(stored: statement.text(3))
            record.dkim = Reported(stored: statement.text(4))
            record.spf = Reported(stored: statement.text(5))
            record.envelopeTo = statement.text(6)
            record.envelopeFrom = statement.text(7)
            record.headerFrom = statement.text(8)
            record.extensions = statement.text(10).map { $0.split(separator: "\n").map(String.init) } ?? []
            record.dkimResults = dkimResults[id] ?? []
            record.spfResults = spfResults[id] ?? []
            record.reasons = overrides[id] ?? []
            stored.append(StoredRecord(id: id, record: record, facts: AlignmentFacts(rawValue: statement.int64(9))))
        }
        for record in stored { try body(record) }
    }

    private func rows(_ statement: RawStatement, _ low: Int64, _ high: Int64, _ row: (RawStatement) -> Void) throws {
        statement.bind(1, low)
        statement.bind(2, high)
        defer { statement.reset() }
        while try statement.step() { row(statement) }
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
        _ db: Database, _ filter: ReportFilter, includeVariants: Bool = false,
        _ body: (RecordContext, StoredRecord) throws -> Void
    ) throws {
        let (condition, arguments) = condition(filter, alias: "r")
        let reader = try RecordReader(db)
        let reports = try Row.fetchCursor(
            db,
            sql: """
                SELECT r.id, COALESCE(r.org_name, r.reporter) AS reporter, r.report_id, r.begin_utc, r.end_utc,
                       r.first_record, r.last_record, p.domain, p.adkim, p.aspf, p.p, p.sp, p.np, p.pct, p.testing,
                       p.discovery_method, p.fo
                FROM report r JOIN policy_published p ON p.report_id = r.id
                WHERE \(condition) AND r.first_record IS NOT NULL \(includeVariants ? "" : "AND r.counted = 1")
                ORDER BY r.begin_utc, r.id
                """,
            arguments: arguments)
        while let row = try reports.next() {
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
            try reader.read(row["first_record"], row["last_record"]) { try body(context, $0) }
        }
    }
}
