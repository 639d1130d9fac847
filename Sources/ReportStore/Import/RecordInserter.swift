import GRDB
import ReportModel

/// Inserts records and their DKIM, SPF and override rows with prepared statements.
final class RecordInserter {
    private let record: RawStatement
    private let dkim: RawStatement
    private let spf: RawStatement
    private let reason: RawStatement

    init(_ db: Database) throws {
        record = try RawStatement(
            db,
            sql: """
                INSERT INTO record (report_id, source_ip, count, disposition, dkim, spf, envelope_to, envelope_from,
                                    header_from, extensions)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """)
        dkim = try RawStatement(
            db, sql: "INSERT INTO dkim_result (record_id, seq, domain, selector, result, human_result) VALUES (?, ?, ?, ?, ?, ?)")
        spf = try RawStatement(
            db, sql: "INSERT INTO spf_result (record_id, seq, domain, scope, result, human_result) VALUES (?, ?, ?, ?, ?, ?)")
        reason = try RawStatement(db, sql: "INSERT INTO override_reason (record_id, seq, type, comment) VALUES (?, ?, ?, ?)")
    }

    func insert(_ value: ReportRecord, reportID: Int64) throws {
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
        try record.execute()
        let recordID = record.lastInsertedRowID
        for (seq, result) in value.dkimResults.enumerated() {
            dkim.bind(1, recordID)
            dkim.bind(2, seq)
            dkim.bind(3, result.domain)
            dkim.bind(4, result.selector)
            dkim.bind(5, result.result?.text)
            dkim.bind(6, result.humanResult)
            try dkim.execute()
        }
        for (seq, result) in value.spfResults.enumerated() {
            spf.bind(1, recordID)
            spf.bind(2, seq)
            spf.bind(3, result.domain)
            spf.bind(4, result.scope?.text)
            spf.bind(5, result.result?.text)
            spf.bind(6, result.humanResult)
            try spf.execute()
        }
        for (seq, override) in value.reasons.enumerated() {
            reason.bind(1, recordID)
            reason.bind(2, seq)
            reason.bind(3, override.type?.text)
            reason.bind(4, override.comment)
            try reason.execute()
        }
    }
}
