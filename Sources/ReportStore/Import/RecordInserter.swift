import DomainAlignment
import GRDB
import ReportModel

/// How an import writes a report's records, per engine: SQLite inserts each with prepared statements
/// (``SQLiteRecordInserter``), PostgreSQL sends them by COPY (``PostgresRecordCopier``).
protocol RecordInserting: AnyObject {
    /// Adds the record and its children; returns its id and its recomputed alignment (stored with it).
    /// - Parameter time: when the report ends, as far as is known while its records stream in (else the
    ///   import's time): where PostgreSQL keeps the record (``RecordPartitions``).
    func insert(
        _ value: ReportRecord, reportID: Int64, placedAt time: Int64
    ) throws -> (
        id: Int64, facts: AlignmentFacts
    )
    /// Writes what is still buffered (before the report's row is completed).
    func flush() throws
    /// Forgets what is buffered (the report is rolled back).
    func discard()
}

/// Inserts records and their DKIM, SPF and override rows with prepared statements.
///
/// A record's first DKIM and first SPF result go in its own row (migration 006); the others, and override
/// reasons, in child tables. A child row's id is its record's id shifted left 16 bits plus its position,
/// so children are appended in id order to plain rowid tables (SQLite's fastest insert) and found by an
/// id range, without a second index, which is why a record keeps at most `ReportRecord.maxResultsPerKind`
/// of each kind.
final class SQLiteRecordInserter: RecordInserting {
    private let record: RawStatement
    private let dkim: RawStatement
    private let spf: RawStatement
    private let reason: RawStatement
    private let check = AlignmentCheck()
    private let memo = DomainMemo()

    init(_ db: Database) throws {
        record = try RawStatement(
            db,
            sql: """
                INSERT INTO record (report_id, source_ip, count, disposition, dkim, spf, envelope_to, envelope_from,
                                    header_from, extensions, alignment, inline_auth, dkim1_domain, dkim1_selector,
                                    dkim1_result, dkim1_human_result, spf1_domain, spf1_scope, spf1_result,
                                    spf1_human_result)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """)
        dkim = try RawStatement(
            db, sql: "INSERT INTO dkim_result_extra (id, domain, selector, result, human_result) VALUES (?, ?, ?, ?, ?)"
        )
        spf = try RawStatement(
            db, sql: "INSERT INTO spf_result_extra (id, domain, scope, result, human_result) VALUES (?, ?, ?, ?, ?)")
        reason = try RawStatement(db, sql: "INSERT INTO override_reason (id, type, comment) VALUES (?, ?, ?)")
    }

    /// Inserts the record and its children; returns its id and its recomputed alignment (stored with it).
    func insert(
        _ value: ReportRecord, reportID: Int64, placedAt _: Int64
    ) throws -> (
        id: Int64, facts: AlignmentFacts
    ) {
        record.bind(1, reportID)
        record.bind(2, value.sourceIP)
        record.bind(3, value.count)
        record.bind(4, value.disposition?.text)
        record.bind(5, value.dkim?.text)
        record.bind(6, value.spf?.text)
        record.bind(7, value.envelopeTo)
        record.bind(8, value.envelopeFrom)
        record.bind(9, value.headerFrom)
        record.bind(10, value.extensions.isEmpty ? nil : value.extensions.joined(separator: "\n"))
        let facts = check.facts(for: value, memo: memo)
        record.bind(11, facts.rawValue)
        let dkimResults = value.dkimResults.prefix(ReportRecord.maxResultsPerKind)
        let spfResults = value.spfResults.prefix(ReportRecord.maxResultsPerKind)
        record.bind(12, Int64((dkimResults.isEmpty ? 0 : 1) | (spfResults.isEmpty ? 0 : 2)))
        let firstDKIM = dkimResults.first
        record.bind(13, firstDKIM?.domain)
        record.bind(14, firstDKIM?.selector)
        record.bind(15, firstDKIM?.result?.text)
        record.bind(16, firstDKIM?.humanResult)
        let firstSPF = spfResults.first
        record.bind(17, firstSPF?.domain)
        record.bind(18, firstSPF?.scope?.text)
        record.bind(19, firstSPF?.result?.text)
        record.bind(20, firstSPF?.humanResult)
        try record.execute()
        let recordID = record.lastInsertedRowID
        for seq in dkimResults.indices.dropFirst() {
            let result = dkimResults[seq]
            dkim.bind(1, RecordIDs.child(recordID, seq))
            dkim.bind(2, result.domain)
            dkim.bind(3, result.selector)
            dkim.bind(4, result.result?.text)
            dkim.bind(5, result.humanResult)
            try dkim.execute()
        }
        for seq in spfResults.indices.dropFirst() {
            let result = spfResults[seq]
            spf.bind(1, RecordIDs.child(recordID, seq))
            spf.bind(2, result.domain)
            spf.bind(3, result.scope?.text)
            spf.bind(4, result.result?.text)
            spf.bind(5, result.humanResult)
            try spf.execute()
        }
        for seq in value.reasons.indices.prefix(ReportRecord.maxResultsPerKind) {
            let override = value.reasons[seq]
            reason.bind(1, RecordIDs.child(recordID, seq))
            reason.bind(2, override.type?.text)
            reason.bind(3, override.comment)
            try reason.execute()
        }
        return (recordID, facts)
    }

    func flush() throws {}

    func discard() {}
}

/// The ids of a record's children.
enum RecordIDs {
    static func child(_ recordID: Int64, _ seq: Int) -> Int64 {
        recordID << 16 | Int64(seq)
    }
}
