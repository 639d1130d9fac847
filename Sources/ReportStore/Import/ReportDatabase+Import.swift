import Foundation
import GRDB
import ReportModel

extension ReportDatabase {
    /// The items of an input already imported with the same content, or `nil` when it is new.
    /// Stored reports come back as duplicates.
    public func knownInput(sha256: [UInt8], name: String) throws -> [ImportItem]? {
        try read { db in
            guard let inputID = try Self.inputID(db, sha256: sha256) else { return nil }
            return try ItemQueries.items(db, inputID: inputID, inputName: name, asDuplicates: true)
        }
    }

    /// Stores one input in a transaction of its own. See ``ImportBatch/importInput(name:sha256:original:importedAt:_:)``.
    public func importInput<T>(
        name: String, sha256: [UInt8], original: InputOriginal, importedAt: Int64,
        _ body: (InputSession) throws -> T
    ) throws -> InputImport<T> {
        try withImportBatch { batch in
            try batch.begin()
            do {
                let result = try batch.importInput(
                    name: name, sha256: sha256, original: original, importedAt: importedAt, body)
                try batch.commit()
                return result
            } catch {
                batch.rollback()
                throw error
            }
        }
    }

    /// Holds the write connection for a whole import: `body` groups inputs into transactions through
    /// the ``ImportBatch``. Other connections wait (up to the busy timeout) while a transaction is open.
    /// - Throws: what `body` throws; ``StoreError`` when the connection cannot be had.
    public func withImportBatch<T>(_ body: (ImportBatch) throws -> T) throws -> T {
        if case .postgresql(let connection) = connection {
            return try serialized {
                // The import's statements are pipelined: an input's inserts go in one round trip.
                connection.beginPipeline()
                defer { try? connection.endPipeline() }
                let batch = ImportBatch(db: connection, path: path)
                defer { batch.rollback() }
                return try body(batch)
            }
        }
        do {
            return try queue.writeWithoutTransaction { db in
                // Both settings are the connection's own again after the import.
                let checkpointPages = try Int.fetchOne(db, sql: "PRAGMA wal_autocheckpoint") ?? 1000
                let tempStore = try Int.fetchOne(db, sql: "PRAGMA temp_store") ?? 0
                defer {
                    try? db.execute(
                        sql: "PRAGMA wal_autocheckpoint = \(checkpointPages); PRAGMA temp_store = \(tempStore)")
                }
                // The log is checkpointed into the database once it holds this many pages (64 MiB)
                // rather than SQLite's 1,000: an import then waits for a checkpoint's two fsyncs every
                // 64 MiB written rather than every 4, and a small import for none until it closes.
                try db.execute(sql: "PRAGMA wal_autocheckpoint = \(Self.importCheckpointPages)")
                // Savepoint journals (a page saved at its first change in each report's and input's
                // savepoint) stay in memory: in SQLite's spilling journal, one that outgrows 64 KiB stays in
                // a temporary file for the rest of the transaction (an mbox of 1,000 messages made 85,000
                // writes to it). They hold only pages the import changes, each once per savepoint.
                try db.execute(sql: "PRAGMA temp_store = MEMORY")
                let batch = ImportBatch(db: SQLiteConnection(db), path: path)
                defer { batch.rollback() }
                return try body(batch)
            }
        } catch let error as DatabaseError {
            throw Self.storeError(error, doing: "write", path: path)
        }
    }

    static let importCheckpointPages = 16_384

    static func inputID(_ db: any SQLConnection, sha256: [UInt8]) throws -> Int64? {
        try db.value(Int64.self, inputByDigest, [Data(sha256)])
    }

    /// The id of the input with the content whose SHA-256 is bound.
    static let inputByDigest =
        "SELECT input.id FROM input JOIN input_blob ON input_blob.id = input.blob_id WHERE sha256 = ?"
}
