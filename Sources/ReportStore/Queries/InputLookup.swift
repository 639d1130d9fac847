import Foundation
import GRDB
import ReportModel

/// Lookups of stored inputs through a read-only connection of their own, in a read transaction that
/// spans many lookups (WAL mode lets it run beside a writer): cheaper than a transaction per lookup. The
/// transaction is renewed once it is ``maxAge`` old, so that the writer's log can be checkpointed during
/// a long import.
public final class InputLookup {
    private let database: ReportDatabase
    private var began: Date?
    /// The input with a given content, prepared once: a lookup per input of an mbox of thousands.
    private var inputByDigest: (any PreparedSQL)?

    /// How long one read transaction is kept before it is renewed.
    static let maxAge: TimeInterval = 1

    /// Opens the database for reading: SQLite read-only, PostgreSQL through a connection of its own.
    public init(location: DatabaseLocation) throws {
        database = try ReportDatabase(location: location, readOnly: true)
    }

    /// See ``ReportDatabase/knownInput(sha256:name:)``.
    public func knownInput(sha256: [UInt8], name: String) throws -> [ImportItem]? {
        try inReadTransaction { db in
            let lookup = try inputByDigest ?? db.prepare(ReportDatabase.inputByDigest)
            inputByDigest = lookup
            lookup.bind(1, blob: sha256)
            guard let inputID = try lookup.queryInt64() else { return nil }
            return try ItemQueries.items(db, inputID: inputID, inputName: name, asDuplicates: true)
        }
    }

    /// See ``ReportDatabase/original(sha256:)``.
    public func original(sha256: [UInt8]) throws -> StoredOriginal? {
        try inReadTransaction { db in try ReportDatabase.original(db, sha256: sha256) }
    }

    /// Ends the read transaction and the connection.
    public func close() {
        inputByDigest = nil
        if database.engine == .sqlite {
            try? database.queue.inDatabase { db in
                if db.isInsideTransaction { try db.execute(sql: "COMMIT") }
            }
        }
        database.close()
    }

    /// Runs `body` in the read transaction, begun (or renewed, once it is older than ``maxAge``) first.
    /// PostgreSQL's lookups need none: each sees what is committed.
    private func inReadTransaction<T>(_ body: (any SQLConnection) throws -> T) throws -> T {
        if case .postgresql(let connection) = database.connection {
            return try database.serialized { try body(connection) }
        }
        do {
            return try database.queue.inDatabase { db in
                if let began, Date().timeIntervalSince(began) <= Self.maxAge, db.isInsideTransaction {
                    return try body(SQLiteConnection(db))
                }
                if db.isInsideTransaction { try db.execute(sql: "COMMIT") }
                try db.execute(sql: "BEGIN DEFERRED")
                began = Date()
                return try body(SQLiteConnection(db))
            }
        } catch let error as DatabaseError {
            throw ReportDatabase.storeError(error, doing: "read")
        }
    }
}
