import Foundation
import GRDB
import ReportModel

/// Lookups of stored inputs inside a read transaction (WAL mode lets it run beside a writer). Cheaper
/// than a transaction per lookup; ``renewIfOld()`` ends it now and then so that the writer's log can be
/// checkpointed during a long import.
public final class InputLookup {
    private let db: Database
    private var began = Date()

    /// How long one read transaction is kept before it is renewed.
    static let maxAge: TimeInterval = 1

    init(db: Database) throws {
        self.db = db
        try db.execute(sql: "BEGIN DEFERRED")
    }

    /// See ``ReportDatabase/knownInput(sha256:name:)``.
    public func knownInput(sha256: [UInt8], name: String) throws -> [ImportItem]? {
        try renewIfOld()
        guard let inputID = try ReportDatabase.inputID(db, sha256: sha256) else { return nil }
        return try ItemQueries.items(db, inputID: inputID, inputName: name, asDuplicates: true)
    }

    /// See ``ReportDatabase/original(sha256:)``.
    public func original(sha256: [UInt8]) throws -> StoredOriginal? {
        try renewIfOld()
        return try ReportDatabase.original(db, sha256: sha256)
    }

    /// Ends the read transaction and starts a new one when it is older than ``maxAge``.
    public func renewIfOld() throws {
        guard Date().timeIntervalSince(began) > Self.maxAge else { return }
        try db.execute(sql: "COMMIT; BEGIN DEFERRED")
        began = Date()
    }

    func end() {
        if db.isInsideTransaction { try? db.execute(sql: "COMMIT") }
    }
}

extension ReportDatabase {
    /// Runs `body` with lookups in a read transaction, renewed about every second.
    /// - Throws: ``StoreError`` when no read transaction can be had; what `body` throws.
    public func withSnapshot<T>(_ body: (InputLookup) throws -> T) throws -> T {
        do {
            return try queue.inDatabase { db in
                let lookup = try InputLookup(db: db)
                defer { lookup.end() }
                return try body(lookup)
            }
        } catch let error as DatabaseError {
            throw Self.storeError(error, doing: "read")
        }
    }
}
