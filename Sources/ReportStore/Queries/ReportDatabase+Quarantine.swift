import Foundation
import GRDB
import ReportModel

extension ReportDatabase {
    /// Inputs with at least one rejected or skipped item (`rejectedOnly`: rejected), oldest first.
    public func quarantined(rejectedOnly: Bool = false) throws -> [KeptInput] {
        try read { db in
            let outcomes = rejectedOnly ? "('rejected')" : "('rejected', 'skipped')"
            let ids = try Int64.fetchAll(
                db,
                sql: "SELECT DISTINCT input_id FROM item WHERE outcome IN \(outcomes) ORDER BY input_id")
            return try ids.compactMap { try Self.keptInput(db, id: $0) }
        }
    }

    /// One kept input with all its items and messages.
    public func keptInput(id: Int64) throws -> KeptInput? {
        try read { db in try Self.keptInput(db, id: id) }
    }

    static func keptInput(_ db: Database, id: Int64) throws -> KeptInput? {
        guard
            let row = try Row.fetchOne(
                db,
                sql: """
                    SELECT input.name, input.imported_at, input_blob.size, input_blob.sha256
                    FROM input JOIN input_blob ON input_blob.id = input.blob_id WHERE input.id = ?
                    """,
                arguments: [id])
        else { return nil }
        let name: String = row["name"]
        let items = try ItemQueries.items(db, inputID: id, inputName: name, asDuplicates: false)
        let messages = try Row.fetchAll(
            db,
            sql: """
                SELECT message_id, date, from_address, subject, tls_report_domain, tls_report_submitter
                FROM message WHERE input_id = ? ORDER BY id
                """,
            arguments: [id]
        ).map { row in
            MessageInfo(
                messageID: row["message_id"], date: row["date"], from: row["from_address"], subject: row["subject"],
                tlsReportDomain: row["tls_report_domain"], tlsReportSubmitter: row["tls_report_submitter"])
        }
        return KeptInput(
            id: id, name: name, importedAt: row["imported_at"], size: row["size"],
            sha256: Array(row["sha256"] as Data), items: items, messages: messages)
    }
}

extension ImportBatch {
    /// Runs an input already stored through `body` again (after an upgrade of the parsers): its
    /// rejected and skipped items and its messages are replaced by what `body` records; the reports it
    /// stored before stay as they are (the session does not record them twice).
    public func reimportInput<T>(id inputID: Int64, importedAt: Int64, _ body: (InputSession) throws -> T) throws -> T {
        precondition(db.isInsideTransaction, "reimportInput needs an open transaction")
        try db.run("SAVEPOINT input")
        do {
            let problems = "SELECT id FROM item WHERE input_id = ? AND outcome IN ('rejected', 'skipped')"
            try db.run("DELETE FROM diagnostic WHERE item_id IN (\(problems))", [inputID])
            try db.run("DELETE FROM item WHERE id IN (\(problems))", [inputID])
            try db.run("DELETE FROM message WHERE input_id = ?", [inputID])
            let session = try InputSession(db: db, statements: statements, inputID: inputID, importedAt: importedAt)
            session.reprocessing = true
            let result = try body(session)
            try db.run("RELEASE input")
            return result
        } catch {
            if db.isInsideTransaction {
                try? db.run("ROLLBACK TO input")
                try? db.run("RELEASE input")
            }
            throw error
        }
    }
}
