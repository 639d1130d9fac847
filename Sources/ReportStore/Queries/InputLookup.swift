import Foundation
import GRDB
import ReportModel

/// Lookups of stored inputs inside one read transaction: a snapshot of the database as it was when
/// the transaction began (WAL mode lets it run beside a writer). Cheaper than a transaction per lookup.
public final class InputLookup {
    private let db: Database

    init(db: Database) {
        self.db = db
    }

    /// See ``ReportDatabase/knownInput(sha256:name:)``.
    public func knownInput(sha256: [UInt8], name: String) throws -> [ImportItem]? {
        guard let inputID = try ReportDatabase.inputID(db, sha256: sha256) else { return nil }
        return try ItemQueries.items(db, inputID: inputID, inputName: name, asDuplicates: true)
    }

    /// See ``ReportDatabase/original(sha256:)``.
    public func original(sha256: [UInt8]) throws -> StoredOriginal? {
        try ReportDatabase.original(db, sha256: sha256)
    }
}

extension ReportDatabase {
    /// Runs `body` with lookups in one read transaction.
    /// - Throws: ``StoreError`` when no read transaction can be had; what `body` throws.
    public func withSnapshot<T>(_ body: (InputLookup) throws -> T) throws -> T {
        try read { db in try body(InputLookup(db: db)) }
    }
}
