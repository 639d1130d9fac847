import Foundation
import GRDB
import ReportModel

/// What storing one report came to.
public enum ReportCommit: Equatable, Sendable {
    /// A new report, with its database id.
    case stored(Int64)
    /// The same report (identity and content) was already stored: nothing was added.
    case duplicate(of: Int64)
    /// Same identity as an earlier report but different content: kept, not counted in summaries.
    case variant(Int64, of: Int64)
}

/// Writes one DMARC report inside a savepoint: records stream in with ``add(_:)``, then ``commit(_:)``
/// keeps the report (or finds it is a duplicate and drops it) and ``discard()`` drops it entirely.
public final class ReportWriter {
    private let session: InputSession
    private let part: String?
    private let reportID: Int64
    /// The highest record id before this report's records: they follow it without gaps.
    private let recordsBefore: Int64
    private var finished = false
    private static let savepoint = "report"

    init(session: InputSession, part: String?) throws {
        self.session = session
        self.part = part
        try session.db.run("SAVEPOINT \(Self.savepoint)")
        try session.db.run(
            """
            INSERT INTO report (input_id, part, reporter, report_id, report_key, policy_domain, begin_utc, end_utc,
                                recovered, payload_sha256, records, messages, counted, imported_at)
            VALUES (?, ?, '', '', '', '', 0, 0, 0, x'', 0, 0, 0, ?)
            """,
            [session.inputID, part, session.importedAt])
        reportID = session.db.lastInsertedRowID
        recordsBefore = try Int64.fetchOne(session.db.cachedStatement(sql: "SELECT MAX(id) FROM record")) ?? 0
    }

    /// Adds one record of the report.
    public func add(_ record: ReportRecord) throws {
        try session.recordInserter.insert(record, reportID: reportID)
    }

    /// Completes the report: fills in its header, checks its identity against what is stored, and
    /// records the item. A duplicate is rolled back and recorded as such.
    public func commit(
        header: AggregateReportHeader, records: Int, messages: Int64, payloadSHA256: [UInt8], diagnostics: [Diagnostic]
    ) throws -> ReportCommit {
        precondition(!finished, "report already finished")
        finished = true
        let db = session.db
        let reporter = header.reporter
        let key = header.reportKey
        let domain = header.policy.domain ?? ""
        let begin = header.metadata.begin ?? 0
        let end = header.metadata.end ?? 0
        let sameIdentity = try Row.fetchAll(
            db.cachedStatement(
                sql: """
                    SELECT id, payload_sha256 FROM report
                    WHERE reporter = ? AND report_key = ? AND policy_domain = ? AND begin_utc = ? AND end_utc = ? AND id <> ?
                    ORDER BY id
                    """),
            arguments: [reporter, key, domain, begin, end, reportID])
        if let same = sameIdentity.first(where: { ($0["payload_sha256"] as Data) == Data(payloadSHA256) }) {
            let existing: Int64 = same["id"]
            try rollback()
            if session.reprocessing,
                try Int64.fetchOne(db, sql: "SELECT input_id FROM report WHERE id = ?", arguments: [existing])
                    == session.inputID
            {
                // The input's own report, stored the first time round: its item is there already.
                return .duplicate(of: existing)
            }
            try session.addItem(
                part: part, outcome: .duplicate, kind: .dmarc, reportID: existing,
                reason: "report already stored (#\(existing))", diagnostics: [])
            return .duplicate(of: existing)
        }
        var diagnostics = diagnostics
        let original: Int64? = sameIdentity.first?["id"]
        if let original {
            diagnostics.append(
                Diagnostic(
                    .sameIdentityDifferentContent, .warning,
                    "same reporter, report_id, domain and date range as report #\(original) but different content; "
                        + "kept, not counted in summaries"))
        }
        try update(
            header, reporter: reporter, key: key, records: records, messages: messages, sha256: payloadSHA256,
            variantOf: original)
        try db.run("RELEASE \(Self.savepoint)")
        try session.addItem(
            part: part, outcome: .stored, kind: .dmarc, reportID: reportID, reason: nil, diagnostics: diagnostics)
        return original.map { .variant(reportID, of: $0) } ?? .stored(reportID)
    }

    /// Drops everything written for this report.
    public func discard() throws {
        guard !finished else { return }
        finished = true
        try rollback()
    }

    private func rollback() throws {
        try session.db.run("ROLLBACK TO \(Self.savepoint)")
        try session.db.run("RELEASE \(Self.savepoint)")
    }

    private func update(
        _ header: AggregateReportHeader, reporter: String, key: String, records: Int, messages: Int64, sha256: [UInt8],
        variantOf original: Int64?
    ) throws {
        let db = session.db
        let metadata = header.metadata
        try db.run(
            """
            UPDATE report SET reporter = ?, org_name = ?, email = ?, extra_contact_info = ?, report_id = ?,
                report_key = ?, policy_domain = ?, begin_utc = ?, end_utc = ?, generator = ?, version = ?,
                namespace = ?, recovered = ?, payload_sha256 = ?, records = ?, messages = ?, counted = ?,
                variant_of = ?,
                first_record = (SELECT MIN(id) FROM record WHERE id > ?),
                last_record = (SELECT MAX(id) FROM record WHERE id > ?)
            WHERE id = ?
            """,
            [
                reporter, metadata.orgName, metadata.email, metadata.extraContactInfo, metadata.reportID ?? "", key,
                header.policy.domain ?? "", metadata.begin ?? 0, metadata.end ?? 0, metadata.generator, header.version,
                header.namespace, header.recovered, Data(sha256), records, messages, original == nil, original,
                recordsBefore, recordsBefore, reportID,
            ])
        let policy = header.policy
        try db.run(
            """
            INSERT INTO policy_published (report_id, domain, adkim, aspf, p, sp, np, pct, fo, testing, discovery_method)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """,
            [
                reportID, policy.domain ?? "", policy.adkim?.text, policy.aspf?.text, policy.p?.text, policy.sp?.text,
                policy.np?.text, policy.pct, policy.fo, policy.testing?.text, policy.discoveryMethod?.text,
            ])
        for (seq, message) in metadata.errors.enumerated() {
            try db.run(
                "INSERT INTO report_error (report_id, seq, message) VALUES (?, ?, ?)",
                [reportID, seq, message])
        }
        for (seq, xml) in header.extensions.enumerated() {
            try db.run("INSERT INTO report_extension (report_id, seq, xml) VALUES (?, ?, ?)", [reportID, seq, xml])
        }
    }
}
