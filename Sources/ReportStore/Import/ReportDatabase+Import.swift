import Foundation
import GRDB
import GRDBSQLite
import ReportModel

/// Where an input's original bytes come from when they are kept.
public enum InputContent {
    case bytes([UInt8])
    /// A file, copied into the database in chunks so memory stays bounded.
    case file(path: String, size: Int64)
}

extension ReportDatabase {
    /// The items of an input already imported with the same content, or `nil` when it is new.
    /// Stored reports come back as duplicates.
    public func knownInput(sha256: [UInt8], name: String) throws -> [ImportItem]? {
        try read { db in
            guard
                let inputID = try Int64.fetchOne(
                    db,
                    sql: "SELECT input.id FROM input JOIN input_blob ON input_blob.id = input.blob_id WHERE sha256 = ?",
                    arguments: [Data(sha256)])
            else { return nil }
            return try ItemQueries.items(db, inputID: inputID, inputName: name, asDuplicates: true)
        }
    }

    /// Stores one input in one transaction: its original bytes, then whatever `body` records through
    /// the session (reports, each in its own savepoint, and rejected or skipped items). If `body`
    /// throws, nothing of the input is kept.
    /// - Throws: ``StoreError`` for database failures; what `body` throws.
    public func importInput<T>(
        name: String, sha256: [UInt8], content: InputContent, importedAt: Int64, _ body: (InputSession) throws -> T
    ) throws -> T {
        do {
            return try queue.writeWithoutTransaction { db in
                var result: T?
                try db.inTransaction(.immediate) {
                    let inputID = try Self.insertInput(db, name: name, sha256: sha256, content: content, at: importedAt)
                    let session = try InputSession(db: db, inputID: inputID, importedAt: importedAt)
                    result = try body(session)
                    return .commit
                }
                guard let result else { throw StoreError("import produced no result") }
                return result
            }
        } catch let error as StoreError {
            throw error
        } catch let error as DatabaseError {
            throw Self.storeError(error, doing: "store \(name)")
        }
    }

    private static func insertInput(_ db: Database, name: String, sha256: [UInt8], content: InputContent, at time: Int64)
        throws -> Int64
    {
        let blobID: Int64
        if let existing = try Int64.fetchOne(db.cachedStatement(sql: "SELECT id FROM input_blob WHERE sha256 = ?"), arguments: [Data(sha256)]) {
            blobID = existing
        } else {
            switch content {
            case .bytes(let bytes):
                try db.run("INSERT INTO input_blob (sha256, size, content) VALUES (?, ?, ?)",
                    [Data(sha256), bytes.count, Data(bytes)])
                blobID = db.lastInsertedRowID
            case .file(let path, let size):
                try db.run("INSERT INTO input_blob (sha256, size, content) VALUES (?, ?, zeroblob(?))",
                    [Data(sha256), size, size])
                blobID = db.lastInsertedRowID
                try copy(file: path, size: size, intoBlob: blobID, db: db)
            }
        }
        try db.run("INSERT INTO input (blob_id, name, imported_at) VALUES (?, ?, ?)", [blobID, name, time])
        return db.lastInsertedRowID
    }

    /// Streams a file into a zero-filled blob with SQLite's incremental blob I/O.
    private static func copy(file path: String, size: Int64, intoBlob rowID: Int64, db: Database) throws {
        guard let handle = FileHandle(forReadingAtPath: path) else { throw StoreError("cannot reread \(path)") }
        defer { try? handle.close() }
        var blob: OpaquePointer?
        guard sqlite3_blob_open(db.sqliteConnection, "main", "input_blob", "content", rowID, 1, &blob) == SQLITE_OK
        else {
            throw StoreError("cannot open blob: \(String(cString: sqlite3_errmsg(db.sqliteConnection)))")
        }
        defer { sqlite3_blob_close(blob) }
        var offset: Int64 = 0
        while offset < size {
            let chunk = try handle.read(upToCount: 1 << 20) ?? Data()
            if chunk.isEmpty { break }
            let count = Int64(min(Int64(chunk.count), size - offset))
            let result = chunk.withUnsafeBytes { sqlite3_blob_write(blob, $0.baseAddress, Int32(count), Int32(offset)) }
            guard result == SQLITE_OK else {
                throw StoreError("cannot write blob: \(String(cString: sqlite3_errmsg(db.sqliteConnection)))")
            }
            offset += count
        }
        guard offset == size else { throw StoreError("\(path) changed while it was imported") }
    }
}
