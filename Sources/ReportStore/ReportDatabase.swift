import Foundation
import GRDB
import ReportModel

/// The SQLite database of reports: one file, WAL mode, append-only migrations. The only type that
/// talks to SQLite; everything above it sees model values.
public final class ReportDatabase {
    let queue: DatabaseQueue
    public let path: String

    /// Opens (creating if needed) the database at `path` and brings its schema up to date.
    /// - Parameters:
    ///   - busyTimeout: seconds to wait for another writer before giving up.
    ///   - readOnly: open an existing database for reading only (no migration), as a second connection
    ///     beside a writer.
    /// - Throws: ``StoreError`` when the file cannot be opened or migrated.
    public init(path: String, busyTimeout: TimeInterval = 30, readOnly: Bool = false) throws {
        self.path = path
        var config = Configuration()
        config.readonly = readOnly
        config.journalMode = readOnly ? .default : .wal
        config.busyMode = .timeout(busyTimeout)
        config.prepareDatabase { db in
            try db.execute(sql: "PRAGMA synchronous = NORMAL; PRAGMA cache_size = -4000; PRAGMA temp_store = MEMORY")
        }
        let directory = (path as NSString).deletingLastPathComponent
        if !readOnly && !directory.isEmpty {
            do {
                try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            } catch {
                throw StoreError("cannot create directory \(directory) for the database: \(error.localizedDescription)")
            }
        }
        do {
            queue = try DatabaseQueue(path: path, configuration: config)
            if !readOnly {
                var migrator = DatabaseMigrator()
                Migrations.register(in: &migrator)
                try migrator.migrate(queue)
            }
        } catch {
            throw Self.storeError(error, doing: "open database \(path)")
        }
    }

    /// Closes the connection (checkpointing the WAL).
    public func close() {
        try? queue.close()
    }

    /// The names of the migrations applied, in order.
    public func appliedMigrations() throws -> [String] {
        try read { db in
            var migrator = DatabaseMigrator()
            Migrations.register(in: &migrator)
            return try migrator.appliedMigrations(db)
        }
    }

    func read<T>(_ body: (Database) throws -> T) throws -> T {
        do {
            return try queue.read(body)
        } catch let error as StoreError {
            throw error
        } catch {
            throw Self.storeError(error, doing: "read")
        }
    }

    static func storeError(_ error: any Error, doing what: String) -> StoreError {
        if let error = error as? StoreError { return error }
        if let error = error as? DatabaseError {
            let temporary = [
                .SQLITE_BUSY, .SQLITE_LOCKED, .SQLITE_FULL, .SQLITE_IOERR, .SQLITE_CANTOPEN, .SQLITE_READONLY,
            ]
            .contains(error.resultCode)
            return StoreError("cannot \(what): \(error.message ?? "\(error.resultCode)")", isTemporary: temporary)
        }
        return StoreError("cannot \(what): \(error)")
    }
}
