import Foundation
import GRDB
import ReportModel

extension ReportDatabase {
    /// Inputs with at least one rejected or skipped item (`rejectedOnly`: rejected), oldest first.
    public func quarantined(rejectedOnly: Bool = false) throws -> [KeptInput] {
        try read { db in
            let outcomes = rejectedOnly ? "('rejected')" : "('rejected', 'skipped')"
            let ids = try db.values(
                Int64.self, "SELECT DISTINCT input_id FROM item WHERE outcome IN \(outcomes) ORDER BY input_id")
            return try ids.compactMap { try Self.keptInput(db, id: $0) }
        }
    }

    /// One kept input with all its items and messages.
    public func keptInput(id: Int64) throws -> KeptInput? {
        try read { db in try Self.keptInput(db, id: id) }
    }

    static func keptInput(_ db: any SQLConnection, id: Int64) throws -> KeptInput? {
        guard
            let row = try db.row(
                """
                SELECT input.name, input.imported_at, input_blob.size, input_blob.sha256
                FROM input JOIN input_blob ON input_blob.id = input.blob_id WHERE input.id = ?
                """,
                [id])
        else { return nil }
        let name: String = row["name"]
        let items = try ItemQueries.items(db, inputID: id, inputName: name, asDuplicates: false)
        let messages = try db.rows(
            """
            SELECT message_id, date, from_address, subject, tls_report_domain, tls_report_submitter
            FROM message WHERE input_id = ? ORDER BY id
            """,
            [id]
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
        precondition(db.inTransaction, "reimportInput needs an open transaction")
        try statements.deferred?.write()
        try statements.savepointInput.get().execute()
        do {
            let problems = "SELECT id FROM item WHERE input_id = ? AND outcome IN ('rejected', 'skipped')"
            try db.execute("DELETE FROM diagnostic WHERE item_id IN (\(problems))", [inputID])
            try db.execute("DELETE FROM item WHERE id IN (\(problems))", [inputID])
            try db.execute("DELETE FROM message WHERE input_id = ?", [inputID])
            let session = try InputSession(db: db, statements: statements, inputID: inputID, importedAt: importedAt)
            session.reprocessing = true
            let result = try body(session)
            try statements.releaseInput.get().execute()
            return result
        } catch {
            if db.inTransaction {
                try? statements.rollbackInput.get().execute()
                try? statements.releaseInput.get().execute()
            }
            throw error
        }
    }
}

extension ReportDatabase {
    /// Deletes kept inputs — items, messages, diagnostics and original bytes — in one transaction. An
    /// input that also stored reports, or that is not in quarantine, stays (with why).
    /// - Parameter importedBefore: with no `ids`, every kept input imported before this time.
    public func deleteKeptInputs(
        _ ids: [Int64], importedBefore: Int64? = nil
    ) throws
        -> [(id: Int64, KeptInputDeletion)]
    {
        do {
            return try write { db in
                var candidates = ids
                if let importedBefore {
                    candidates = try db.values(
                        Int64.self,
                        """
                        SELECT DISTINCT input.id FROM input JOIN item ON item.input_id = input.id
                        WHERE item.outcome IN ('rejected', 'skipped') AND input.imported_at < ? ORDER BY input.id
                        """, [importedBefore])
                }
                return try candidates.map { id in (id, try Self.deleteKeptInput(db, id: id)) }
            }
        } catch {
            throw Self.storeError(error, doing: "delete kept inputs", path: path)
        }
    }

    private static func deleteKeptInput(_ db: any SQLConnection, id: Int64) throws -> KeptInputDeletion {
        guard
            let row = try db.row(
                """
                SELECT input.name, input.blob_id, input_blob.size FROM input
                JOIN input_blob ON input_blob.id = input.blob_id WHERE input.id = ?
                """, [id])
        else { return .notFound }
        let name: String = row["name"]
        let reports =
            try db.value(
                Int.self,
                """
                SELECT (SELECT COUNT(*) FROM report WHERE input_id = ?1)
                     + (SELECT COUNT(*) FROM tls_report WHERE input_id = ?1)
                """, [id]) ?? 0
        guard reports == 0 else { return .holdsReports(name: name, reports: reports) }
        let kept = try db.value(
            Bool.self, "SELECT EXISTS (SELECT 1 FROM item WHERE input_id = ? AND outcome IN ('rejected', 'skipped'))",
            [id])
        guard kept == true else { return .notKept(name: name) }
        let blob: Int64 = row["blob_id"]
        try db.execute("DELETE FROM diagnostic WHERE item_id IN (SELECT id FROM item WHERE input_id = ?)", [id])
        try db.execute("DELETE FROM item WHERE input_id = ?", [id])
        try db.execute("DELETE FROM message WHERE input_id = ?", [id])
        try db.execute("DELETE FROM input WHERE id = ?", [id])
        try db.execute("DELETE FROM input_chunk WHERE blob_id = ?", [blob])
        try db.execute("DELETE FROM input_blob WHERE id = ?", [blob])
        return .deleted(name: name, bytes: row["size"])
    }
}

extension ReportDatabase {
    /// Rows whose owner is gone (chunks without a blob, items without an input, …): zero in a sound
    /// database; for checks.
    public func orphanCounts() throws -> Int {
        try read { db in
            try db.value(
                Int.self,
                """
                SELECT (SELECT COUNT(*) FROM input_chunk WHERE blob_id NOT IN (SELECT id FROM input_blob))
                     + (SELECT COUNT(*) FROM item WHERE input_id NOT IN (SELECT id FROM input))
                     + (SELECT COUNT(*) FROM message WHERE input_id NOT IN (SELECT id FROM input))
                     + (SELECT COUNT(*) FROM diagnostic WHERE item_id NOT IN (SELECT id FROM item))
                     + (SELECT COUNT(*) FROM report WHERE input_id NOT IN (SELECT id FROM input))
                     + (SELECT COUNT(*) FROM input_blob WHERE id NOT IN (SELECT blob_id FROM input))
                """) ?? 0
        }
    }
}
