import Foundation
import GRDB
import ReportModel

/// A write connection held for a whole import. Inputs are grouped into transactions (many small
/// inputs per commit is what makes thousands of files fast); each input sits in a savepoint, so one
/// that fails leaves nothing behind while the others in its transaction stay; each report sits in a
/// savepoint of its own inside its input.
public final class ImportBatch {
    let db: any SQLConnection
    let statements: ImportStatements
    /// The database, for messages.
    private let path: String
    /// Inputs stored in the open transaction.
    public private(set) var inputsInTransaction = 0

    init(db: any SQLConnection, path: String) {
        self.db = db
        self.path = path
        self.statements = ImportStatements(db: db)
    }

    /// PostgreSQL's source rollups, written when the batch commits.
    private var pendingRollups: PendingSourceRollups? { try? statements.rollups.get().pending }

    /// Whether a transaction is open (SQLite may have rolled it back itself after an I/O error).
    public var inTransaction: Bool { db.inTransaction }

    /// Opens a transaction, waiting for other writers up to the busy timeout.
    public func begin() throws {
        // SQLite: take the write lock now (a deferred transaction that must later upgrade may fail
        // instead of waiting). PostgreSQL: writers take row locks as they go.
        try convertingErrors("begin a transaction") {
            try db.execute(db.engine == .sqlite ? "BEGIN IMMEDIATE" : "BEGIN")
        }
        inputsInTransaction = 0
    }

    /// Commits the open transaction: everything stored since ``begin()`` is durable.
    public func commit() throws {
        guard db.inTransaction else { return }
        try convertingErrors("commit") {
            try statements.deferred?.write()
            if let pendingRollups, let connection = db as? PostgresConnection { try pendingRollups.write(connection) }
            try db.execute("COMMIT")
            try db.flushDeferred()
        }
        inputsInTransaction = 0
    }

    /// Abandons the open transaction, if any.
    public func rollback() {
        if db.inTransaction {
            try? db.execute("ROLLBACK")
            try? db.flushDeferred()
        }
        statements.deferred?.clear()
        pendingRollups?.clear()
        inputsInTransaction = 0
    }

    /// Stores one input inside the open transaction: whatever `body` records through the session
    /// (reports and rejected or skipped items), and its original bytes, taken from `original` as they
    /// are ready while `body` runs (``InputSession/storeReadyOriginalChunks()``) and completely after. If
    /// `body` throws, nothing of the input is kept (its savepoint is rolled back) and the error is
    /// rethrown.
    /// - Parameters:
    ///   - sha256: the input's SHA-256; `nil` when it is computed while the input is read: then
    ///     `digest` gives it after `body`, and an input found stored with it by then is rolled back.
    /// - Returns: what `body` returned, or the stored items when an input with this content is already
    ///   stored (then `body` does not run, or its work is undone).
    /// - Throws: ``StoreError`` for database failures; what `body`, `original` or `digest` throws.
    public func importInput<T>(
        name: String, sha256: [UInt8]?, original: InputOriginal, importedAt: Int64,
        digest: () throws -> [UInt8] = { throw StoreError("the input's digest is missing") },
        _ body: (InputSession) throws -> T
    ) throws -> InputImport<T> {
        precondition(db.inTransaction, "importInput needs an open transaction")
        return try convertingErrors("store \(name)") {
            // SQLite looks first; PostgreSQL inserts without waiting, and its unique index on the digest
            // answers later when the content is stored.
            if db.engine == .sqlite, let sha256, let items = try storedItems(sha256: sha256, name: name) {
                return .alreadyImported(items)
            }
            try statements.savepointInput.get().execute()
            do {
                let (inputID, blobID, chunks) = try insertInput(
                    name: name, sha256: sha256 ?? Self.placeholderDigest(), original: original.source(),
                    at: importedAt)
                let session = try InputSession(
                    db: db, statements: statements, inputID: inputID, importedAt: importedAt)
                session.originalChunks = chunks
                let result = try body(session)
                try chunks?.storeRest()
                if sha256 == nil {
                    let late = try digest()
                    // PostgreSQL: the content's unique index finds a stored input with this digest.
                    if db.engine == .sqlite, let items = try storedItems(sha256: late, name: name) {
                        try rollBackInput()
                        return .alreadyImported(items)
                    }
                    try settleDigest(late, blobID: blobID)
                    session.unconfirmed = true
                }
                try statements.releaseInput.get().execute()
                // Whatever of this input failed says so here, while the input can still be rolled back
                // (unless its statements since the last that could fail have been answered).
                if session.unconfirmed { try db.flushDeferred() }
                pendingRollups?.inputStored()
                inputsInTransaction += 1
                return .imported(result)
            } catch let error as StoreError where error.violates([Self.contentIndex]) {
                // PostgreSQL: another importer stored the same content meanwhile (its transaction held the
                // digest's row until it committed): this input is a duplicate of that one.
                try rollBackInput()
                if let digest = sha256 ?? (try? digest()), let items = try storedItems(sha256: digest, name: name) {
                    return .alreadyImported(items)
                }
                throw error
            } catch {
                if db.inTransaction { try? rollBackInput() }
                throw error
            }
        }
    }

    static let uniqueViolation = "23505"
    /// PostgreSQL's unique index on the originals' digest.
    static let contentIndex = "input_blob_sha256_key"

    private func rollBackInput() throws {
        pendingRollups?.inputRolledBack()
        // Records of the input's report that were still to be sent go with it.
        (try? statements.records.get())?.discard()
        try statements.rollbackInput.get().execute()
        try statements.releaseInput.get().execute()
        try db.flushDeferred()
    }

    /// The items of the stored input with this content, as duplicates; `nil` when there is none.
    private func storedItems(sha256: [UInt8], name: String) throws -> [ImportItem]? {
        // The items of an input stored earlier in this transaction may still be held.
        try statements.deferred?.write()
        let lookup = try statements.inputBySHA.get()
        lookup.bind(1, blob: sha256)
        guard let inputID = try lookup.queryInt64() else { return nil }
        return try ItemQueries.items(db, inputID: inputID, inputName: name, asDuplicates: true)
    }

    /// A unique stand-in for a digest still being computed: 17 bytes, so never a real SHA-256.
    private static func placeholderDigest() -> [UInt8] {
        [0xFF] + (0..<16).map { _ in UInt8.random(in: 0...255) }
    }

    /// Puts the real digest on the input's original, now that it is known (an input with the same
    /// content was looked for just before; the blob's unique digest guards the rest).
    private func settleDigest(_ sha256: [UInt8], blobID: Int64) throws {
        try db.execute("UPDATE input_blob SET sha256 = ? WHERE id = ?", [Data(sha256), blobID])
    }

    /// The input row, and its original's blob row unless the same content is kept already; then the
    /// writer of the blob's chunks.
    private func insertInput(
        name: String, sha256: [UInt8], original: any OriginalSource, at time: Int64
    ) throws -> (input: Int64, blob: Int64, chunks: OriginalChunkWriter?) {
        // PostgreSQL does not look first: its unique index on the digest answers (``contentIndex``) when the
        // content is stored, with the input's other statements.
        var stored: Int64?
        if db.engine == .sqlite {
            let findBlob = try statements.blobBySHA.get()
            findBlob.bind(1, blob: sha256)
            stored = try findBlob.queryInt64()
        }
        let blobID: Int64
        var chunks: OriginalChunkWriter?
        if let stored {
            blobID = stored
        } else {
            let insertBlob = try statements.insertBlob.get()
            insertBlob.bind(1, blob: sha256)
            insertBlob.bind(2, original.size)
            insertBlob.bind(3, original.encoding.rawValue)
            blobID = try insertBlob.insert()
            chunks = OriginalChunkWriter(blobID: blobID, source: original, insert: try statements.insertChunk.get())
        }
        let insertInput = try statements.insertInput.get()
        insertInput.bind(1, blobID)
        insertInput.bind(2, name)
        insertInput.bind(3, time)
        return (try insertInput.insert(), blobID, chunks)
    }

    private func convertingErrors<T>(_ what: String, _ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let error as DatabaseError {
            throw ReportDatabase.storeError(error, doing: what, path: path)
        }
    }
}

/// What ``ImportBatch/importInput(name:sha256:original:importedAt:digest:_:)`` came to.
public enum InputImport<Result> {
    /// The input was new and is now stored, with what the body returned.
    case imported(Result)
    /// An input with the same content was already stored (by another importer, or earlier in this batch):
    /// its items, as duplicates. The body did not run, or its work was undone.
    case alreadyImported([ReportModel.ImportItem])
}

extension StoreError {
    /// Whether this is PostgreSQL's unique violation of one of `indexes`.
    func violates(_ indexes: Set<String>) -> Bool {
        sqlState == ImportBatch.uniqueViolation && constraint.map(indexes.contains) == true
    }
}
