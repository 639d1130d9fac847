import Foundation
import GRDB
import ReportModel

/// One input's open transaction: reports and items are recorded through it.
public final class InputSession {
    let db: any SQLConnection
    let inputID: Int64
    let importedAt: Int64
    let statements: ImportStatements
    private let insertItem: InsertStatement
    private let insertDiagnostic: any PreparedSQL
    let recordInserter: any RecordInserting
    /// Set when an input already stored runs again: its own reports are not recorded a second time.
    var reprocessing = false
    /// The input's original, when it is new content still to be stored.
    var originalChunks: OriginalChunkWriter?
    /// PostgreSQL: whether a statement of the input that could fail has been sent and not yet answered
    /// (its statements go in a pipeline; the input must hear their answers before it counts as stored).
    var unconfirmed = true

    init(db: any SQLConnection, statements: ImportStatements, inputID: Int64, importedAt: Int64) throws {
        self.db = db
        self.statements = statements
        self.inputID = inputID
        self.importedAt = importedAt
        insertItem = try statements.insertItem.get()
        insertDiagnostic = try statements.insertDiagnostic.get()
        recordInserter = try statements.records.get()
    }

    /// Records an item that holds no new report: rejected (with its reason), skipped, or a duplicate.
    public func addItem(
        part: String?, outcome: ImportItem.Outcome, kind: ImportItem.Kind?, reportID: Int64? = nil,
        tlsReportID: Int64? = nil, reason: String?, diagnostics: [Diagnostic] = []
    ) throws {
        insertItem.bind(1, inputID)
        insertItem.bind(2, part)
        insertItem.bind(3, outcome.rawValue)
        insertItem.bind(4, kind?.rawValue)
        insertItem.bind(5, reportID)
        insertItem.bind(6, tlsReportID)
        insertItem.bind(7, reason)
        let itemID = try insertItem.insert()
        for diagnostic in diagnostics {
            insertDiagnostic.bind(1, itemID)
            insertDiagnostic.bind(2, reportID)
            insertDiagnostic.bind(3, diagnostic.code.rawValue)
            insertDiagnostic.bind(4, diagnostic.severity.rawValue)
            insertDiagnostic.bind(5, diagnostic.message)
            insertDiagnostic.bind(6, diagnostic.occurrences)
            try insertDiagnostic.execute()
        }
    }

    /// Records an e-mail message found in the input (at `part`, or the input itself).
    public func addMessage(_ info: MessageInfo, part: String?) throws {
        let insert = try statements.insertMessage.get()
        insert.bind(1, inputID)
        insert.bind(2, part)
        insert.bind(3, info.messageID)
        insert.bind(4, info.date)
        insert.bind(5, info.from)
        insert.bind(6, info.subject)
        insert.bind(7, info.tlsReportDomain)
        insert.bind(8, info.tlsReportSubmitter)
        try insert.execute()
    }

    /// Stores the chunks of the input's original that are ready (encoded on another thread), so that
    /// they do not all wait for the end of the input. Call it now and then while writing reports.
    public func storeReadyOriginalChunks() throws {
        try originalChunks?.storeReady()
    }

    /// Starts a DMARC report: a savepoint, and a report row that its records attach to.
    public func beginReport(part: String?) throws -> ReportWriter {
        try ReportWriter(session: self, part: part)
    }
}
