import GRDB
import ReportModel

/// A write connection held for a whole import. Inputs are grouped into transactions (many small
/// inputs per commit is what makes thousands of files fast); each input sits in a savepoint, so one
/// that fails leaves nothing behind while the others in its transaction stay; each report sits in a
/// savepoint of its own inside its input.
public final class ImportBatch {
    let db: Database
    let statements: ImportStatements
    /// Inputs stored in the open transaction.
    public private(set) var inputsInTransaction = 0

    init(db: Database) {
        self.db = db
        self.statements = ImportStatements(db: db)
    }

    /// Whether a transaction is open (SQLite may have rolled it back itself after an I/O error).
    public var inTransaction: Bool { db.isInsideTransaction }

    /// Opens a transaction, waiting for other writers up to the busy timeout.
    public func begin() throws {
        try convertingErrors("begin a transaction") { try db.execute(sql: "BEGIN IMMEDIATE") }
        inputsInTransaction = 0
    }

    /// Commits the open transaction: everything stored since ``begin()`` is durable.
    public func commit() throws {
        guard db.isInsideTransaction else { return }
        try convertingErrors("commit") { try db.execute(sql: "COMMIT") }
        inputsInTransaction = 0
    }

    /// Abandons the open transaction, if any.
    public func rollback() {
        if db.isInsideTransaction { try? db.execute(sql: "ROLLBACK") }
        inputsInTransaction = 0
    }

    /// Stores one input inside the open transaction: its original bytes, then whatever `body` records
    /// through the session (reports and rejected or skipped items). If `body` throws, nothing of the
    /// input is kept (its savepoint is rolled back) and the error is rethrown.
    /// - Returns: what `body` returned, or the stored items when an input with this content is already
    ///   stored (then `body` does not run).
    /// - Throws: ``StoreError`` for database failures; what `body` or `original` throws.
    public func importInput<T>(
        name: String, sha256: [UInt8], original: any OriginalSource, importedAt: Int64,
        _ body: (InputSession) throws -> T
    ) throws -> InputImport<T> {
        precondition(db.isInsideTransaction, "importInput needs an open transaction")
        return try convertingErrors("store \(name)") {
            let lookup = try statements.inputBySHA.get()
            lookup.bind(1, blob: sha256)
            if let inputID = try lookup.queryInt64() {
                return .alreadyImported(
                    try ItemQueries.items(db, inputID: inputID, inputName: name, asDuplicates: true))
            }
            try statements.savepointInput.get().execute()
            do {
                let inputID = try insertInput(name: name, sha256: sha256, original: original, at: importedAt)
                let result = try body(
                    try InputSession(db: db, statements: statements, inputID: inputID, importedAt: importedAt))
                try statements.releaseInput.get().execute()
                inputsInTransaction += 1
                return .imported(result)
            } catch {
                if db.isInsideTransaction {
                    try? db.run("ROLLBACK TO input")
                    try? db.run("RELEASE input")
                }
                throw error
            }
        }
    }

    /// The input row, and its original's blob and chunks unless the same content is kept already.
    private func insertInput(
        name: String, sha256: [UInt8], original: any OriginalSource, at time: Int64
    ) throws -> Int64 {
        let findBlob = try statements.blobBySHA.get()
        findBlob.bind(1, blob: sha256)
        let blobID: Int64
        if let existing = try findBlob.queryInt64() {
            blobID = existing
        } else {
            let insertBlob = try statements.insertBlob.get()
            insertBlob.bind(1, blob: sha256)
            insertBlob.bind(2, original.size)
            insertBlob.bind(3, original.encoding.rawValue)
            try insertBlob.execute()
            blobID = insertBlob.lastInsertedRowID
            let insertChunk = try statements.insertChunk.get()
            var seq = 0
            while let chunk = try original.nextChunk() {
                insertChunk.bind(1, blobID)
                insertChunk.bind(2, seq)
                insertChunk.bind(3, blob: chunk)
                try insertChunk.execute()
                seq += 1
            }
        }
        let insertInput = try statements.insertInput.get()
        insertInput.bind(1, blobID)
        insertInput.bind(2, name)
        insertInput.bind(3, time)
        try insertInput.execute()
        return insertInput.lastInsertedRowID
    }

    private func convertingErrors<T>(_ what: String, _ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let error as DatabaseError {
            throw ReportDatabase.storeError(error, doing: what)
        }
    }
}
