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
    private let statements: ImportStatements
    private let part: String?
    private let reportID: Int64
    /// The ids of the report's first and last records (they are written in one go: the range holds
    /// them all).
    private var firstRecord: Int64?
    private var lastRecord: Int64?
    private var finished = false
    private let rollup = RollupAccumulator()
    /// The DKIM domains and selectors the records show, lowercased (a bounded number: a hostile report
    /// cannot grow it without end).
    private var selectors = Set<[String]>()
    static let selectorLimit = 1_000
    /// Chunks of the input's original stored before this report's savepoint (later ones go with it).
    private let chunksBefore: Int

    init(session: InputSession, part: String?) throws {
        self.session = session
        self.statements = session.statements
        self.part = part
        chunksBefore = session.originalChunks?.taken ?? 0
        session.unconfirmed = true
        try statements.savepointReport.get().execute()
        let insert = try statements.insertReportPlaceholder.get()
        insert.bind(1, session.inputID)
        insert.bind(2, part)
        insert.bind(3, session.importedAt)
        reportID = try insert.insert()
    }

    /// When the report ends, as its records' parser read it before them (`nil` while unknown).
    public var reportedEnd: Int64?
    /// Where the records go (``RecordInserting``): fixed by the first, so that all are kept together.
    private var placedAt: Int64?

    /// Adds one record of the report.
    public func add(_ record: ReportRecord) throws {
        let placement = placedAt ?? reportedEnd ?? session.importedAt
        placedAt = placement
        let (id, facts) = try session.recordInserter.insert(record, reportID: reportID, placedAt: placement)
        if firstRecord == nil { firstRecord = id }
        lastRecord = id
        try rollup.add(record, facts: facts)
        for result in record.dkimResults where selectors.count < Self.selectorLimit {
            guard let selector = result.selector, !selector.isEmpty, let domain = result.domain else { continue }
            selectors.insert([
                RollupAccumulator.asciiLowercased(domain), RollupAccumulator.asciiLowercased(selector),
            ])
        }
    }

    /// Completes the report: fills in its header, checks its identity against what is stored, and
    /// records the item. A duplicate is rolled back and recorded as such.
    public func commit(
        header: AggregateReportHeader, records: Int, messages: Int64, payloadSHA256: [UInt8], diagnostics: [Diagnostic]
    ) throws -> ReportCommit {
        precondition(!finished, "report already finished")
        finished = true
        let reporter = header.reporter
        let key = header.reportKey
        let lookup = try statements.reportsWithIdentity.get()
        var diagnostics = diagnostics
        var original: Int64?
        var lookedAgain = false
        // PostgreSQL: the report is taken to be new without looking first (the look-up is a round trip to
        // the server); its identity's unique indexes say when it is not, and then it is looked up.
        var optimistic = session.db.engine == .postgresql
        while true {
            var sameIdentity: [(Int64, [UInt8])] = []
            if !optimistic {
                lookup.bind(1, reporter)
                lookup.bind(2, key)
                lookup.bind(3, header.policy.domain ?? "")
                lookup.bind(4, header.metadata.begin ?? 0)
                lookup.bind(5, header.metadata.end ?? 0)
                lookup.bind(6, reportID)
                sameIdentity = try lookup.queryIDsAndBlobs()
            }
            if let existing = sameIdentity.first(where: { $0.1 == payloadSHA256 })?.0 {
                // The look-up answered everything sent before it; the rollback cannot fail.
                session.unconfirmed = false
                try rollback()
                if try session.reprocessing && ownedBySession(existing) {
                    // The input's own report, stored the first time round: its item is there already.
                    return .duplicate(of: existing)
                }
                try session.addItem(
                    part: part, outcome: .duplicate, kind: .dmarc, reportID: existing,
                    reason: "report already stored (#\(existing))", diagnostics: [])
                return .duplicate(of: existing)
            }
            try session.recordInserter.flush()
            original = sameIdentity.first?.0
            do {
                try statements.savepointIdentity?.execute()
                try update(
                    header, reporter: reporter, key: key, records: records, messages: messages, sha256: payloadSHA256,
                    variantOf: original)
                try statements.releaseIdentity?.execute()
                // A pipelined update's unique violation comes with the answers collected here.
                try session.db.flushDeferred()
                session.unconfirmed = false
                break
            } catch let error as StoreError
                where error.violates(["report_identity", "report_counted_identity"]) && (optimistic || !lookedAgain)
            {
                // PostgreSQL: a report of this identity is stored (by another importer meanwhile, its index
                // entry holding this one until that one committed): look, and this report is a duplicate or
                // a variant of that one.
                try statements.rollbackIdentity?.execute()
                try statements.releaseIdentity?.execute()
                if optimistic { optimistic = false } else { lookedAgain = true }
            }
        }
        if let original {
            diagnostics.append(
                Diagnostic(
                    .sameIdentityDifferentContent, .warning,
                    "same reporter, report_id, domain and date range as report #\(original) but different content; "
                        + "kept, not counted in summaries"))
        }
        if original == nil {
            try rollup.write(
                report: reportID, adkim: header.policy.adkim?.word, aspf: header.policy.aspf?.word,
                begin: header.metadata.begin ?? 0, policyDomain: header.policy.domain ?? "",
                try statements.rollups.get())
            let insert = try statements.insertSelector.get()
            for pair in selectors {
                insert.bind(1, reportID)
                insert.bind(2, pair[0])
                insert.bind(3, pair[1])
                try insert.execute()
            }
        }
        try statements.releaseReport.get().execute()
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

    private func ownedBySession(_ report: Int64) throws -> Bool {
        let lookup = try statements.reportInput.get()
        lookup.bind(1, report)
        return try lookup.queryInt64() == session.inputID
    }

    private func rollback() throws {
        session.recordInserter.discard()
        try statements.rollbackReport.get().execute()
        try statements.releaseReport.get().execute()
        try session.originalChunks?.rolledBack(toChunkCount: chunksBefore)
    }

    private func update(
        _ header: AggregateReportHeader, reporter: String, key: String, records: Int, messages: Int64, sha256: [UInt8],
        variantOf original: Int64?
    ) throws {
        let metadata = header.metadata
        let update = try statements.updateReport.get()
        update.bind(1, reporter)
        update.bind(2, metadata.orgName)
        update.bind(3, metadata.email)
        update.bind(4, metadata.extraContactInfo)
        update.bind(5, metadata.reportID ?? "")
        update.bind(6, key)
        update.bind(7, header.policy.domain ?? "")
        update.bind(8, metadata.begin ?? 0)
        update.bind(9, metadata.end ?? 0)
        update.bind(10, metadata.generator)
        update.bind(11, header.version)
        update.bind(12, header.namespace)
        update.bind(13, header.recovered)
        update.bind(14, blob: sha256)
        update.bind(15, records)
        update.bind(16, messages)
        update.bind(17, original == nil)
        update.bind(18, original)
        update.bind(19, firstRecord)
        update.bind(20, lastRecord)
        update.bind(21, reportID)
        try update.execute()
        let policy = header.policy
        let insert = try statements.insertPolicy.get()
        insert.bind(1, reportID)
        insert.bind(2, policy.domain ?? "")
        insert.bind(3, policy.adkim?.text)
        insert.bind(4, policy.aspf?.text)
        insert.bind(5, policy.p?.text)
        insert.bind(6, policy.sp?.text)
        insert.bind(7, policy.np?.text)
        insert.bind(8, policy.pct)
        insert.bind(9, policy.fo)
        insert.bind(10, policy.testing?.text)
        insert.bind(11, policy.discoveryMethod?.text)
        try insert.execute()
        let db = session.db
        for (seq, message) in metadata.errors.enumerated() {
            try db.execute(
                "INSERT INTO report_error (report_id, seq, message) VALUES (?, ?, ?)", [reportID, seq, message])
        }
        for (seq, xml) in header.extensions.enumerated() {
            try db.execute("INSERT INTO report_extension (report_id, seq, xml) VALUES (?, ?, ?)", [reportID, seq, xml])
        }
    }
}
