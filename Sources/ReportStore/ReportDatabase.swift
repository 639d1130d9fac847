import CSQLiteTuning
import Foundation
import GRDB
import GRDBSQLite
import ReportModel

/// The database of reports, on either engine: a SQLite file (WAL mode) or a PostgreSQL database, with
/// append-only migrations each. Everything above it sees model values; the SQL is in this target.
public final class ReportDatabase {
    /// The connection, per engine: GRDB's queue serializes a SQLite connection; a PostgreSQL connection is
    /// used by one caller at a time through ``lock``.
    enum Connection {
        case sqlite(DatabaseQueue)
        case postgresql(PostgresConnection)
    }

    let connection: Connection
    /// The file, or the PostgreSQL URL without its query, for messages.
    public let path: String
    public let location: DatabaseLocation
    private let lock = NSRecursiveLock()

    public var engine: StoreEngine { location.engine }

    /// The SQLite queue; the callers are SQLite's own paths.
    var queue: DatabaseQueue {
        guard case .sqlite(let queue) = connection else { preconditionFailure("a SQLite path on PostgreSQL") }
        return queue
    }

    /// Opens (creating and migrating if needed) the database at `location`.
    /// - Parameters:
    ///   - busyTimeout: seconds to wait for another writer (SQLite) or another process's migration
    ///     (PostgreSQL) before giving up.
    ///   - readOnly: SQLite: open an existing file for reading only, as a second connection beside a writer.
    public convenience init(
        location: DatabaseLocation, busyTimeout: TimeInterval = 30, readOnly: Bool = false
    ) throws {
        switch location {
        case .sqlite(let path):
            try self.init(path: path, busyTimeout: busyTimeout, readOnly: readOnly)
        case .postgresql(let url, let password):
            let connection = try PostgresConnection(url: url, password: password)
            try PostgresSchema.migrate(connection, lockTimeout: busyTimeout)
            self.init(connection: .postgresql(connection), location: location)
        }
    }

    private init(connection: Connection, location: DatabaseLocation) {
        self.connection = connection
        self.location = location
        self.path = location.description
    }

    /// Opens (creating if needed) the database at `path` and brings its schema up to date.
    /// - Parameters:
    ///   - busyTimeout: seconds to wait for another writer before giving up.
    ///   - readOnly: open an existing database for reading only (no migration), as a second connection
    ///     beside a writer.
    /// - Throws: ``StoreError`` when the file cannot be opened or migrated.
    public convenience init(path: String, busyTimeout: TimeInterval = 30, readOnly: Bool = false) throws {
        _ = Self.sqliteConfigured
        var config = Configuration()
        config.readonly = readOnly
        // A read-only connection is the import reader's: its read transaction spans many calls
        // (see ``InputLookup``).
        config.allowsUnsafeTransactions = readOnly
        config.journalMode = readOnly ? .default : .wal
        config.busyMode = .timeout(busyTimeout)
        config.prepareDatabase { db in
            // Temporary tables and sorts (GROUP BY and ORDER BY over millions of rows) spill to files past
            // the cache, so a report command's memory stays bounded; an import keeps its own savepoint
            // journals in memory (see withImportBatch).
            try db.execute(sql: "PRAGMA synchronous = NORMAL; PRAGMA cache_size = -4000; PRAGMA temp_store = FILE")
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
            let queue = try Self.open(path, config, readOnly: readOnly, busyTimeout: busyTimeout)
            self.init(connection: .sqlite(queue), location: .sqlite(path: path))
        } catch {
            throw Self.storeError(error, doing: "open database \(path)", path: path)
        }
    }

    /// SQLite set up for connections each used by one thread at a time (GRDB's rule), without memory
    /// statistics: the mutexes both take cost about 4% of an import's writing. Done once, before the
    /// first connection opens.
    private static let sqliteConfigured: Void = { _ = rua_sqlite_configure() }()

    /// Opens the file and migrates it. Some of SQLite's locks are not waited for by its busy handler
    /// (turning a new file to WAL, or a read that must become a write while another process writes);
    /// processes opening a new file together then see "database is locked" at once. Those are tried
    /// again, a little later each time, within the busy timeout.
    private static func open(
        _ path: String, _ config: Configuration, readOnly: Bool, busyTimeout: TimeInterval
    ) throws -> DatabaseQueue {
        let started = Date()
        var attempt = 0
        while true {
            do {
                let queue = try DatabaseQueue(path: path, configuration: config)
                if !readOnly { try migrate(queue) }
                return queue
            } catch let error as DatabaseError
                where [.SQLITE_BUSY, .SQLITE_LOCKED].contains(error.resultCode)
                && Date().timeIntervalSince(started) < busyTimeout
            {
                attempt += 1
                Thread.sleep(forTimeInterval: 0.01 * Double(min(attempt, 20)))
            }
        }
    }

    /// Brings the schema up to date. Processes opening a new or old file at the same moment (importers
    /// started together, a digest beside them) race here: each sees the same pending migrations, one
    /// applies them and the others then fail on its work ("duplicate column", "table exists") once they
    /// get the lock. A failure is therefore checked against the file: if another process completed the
    /// migrations meanwhile, all is well; otherwise the migration is tried again, and then the error stands.
    /// Then the work migrations left to application code runs (``Backfills``).
    static func migrate(_ queue: DatabaseQueue) throws {
        var migrator = DatabaseMigrator()
        Migrations.register(in: &migrator)
        for attempt in 1...3 {
            do {
                try migrator.migrate(queue)
                break
            } catch {
                if try queue.read({ try migrator.hasCompletedMigrations($0) }) { break }
                if attempt == 3 { throw error }
            }
        }
        try Backfills.runPending(queue)
    }

    /// Closes the connection (checkpointing SQLite's WAL).
    public func close() {
        switch connection {
        case .sqlite(let queue): try? queue.close()
        case .postgresql: break
        }
    }

    /// The names of the migrations applied, in order.
    public func appliedMigrations() throws -> [String] {
        switch connection {
        case .sqlite(let queue):
            return try queue.read { db in
                var migrator = DatabaseMigrator()
                Migrations.register(in: &migrator)
                return try migrator.appliedMigrations(db)
            }
        case .postgresql(let connection):
            return try serialized { try PostgresSchema.applied(connection) }
        }
    }

    /// The connection of the read transaction ``snapshot(_:)`` holds open, if any.
    private var snapshotConnection: (any SQLConnection)?

    /// Runs `body` with every query it makes through this database in one read transaction: a report
    /// built from several queries (the digest) sees one state of the database, even while imports
    /// commit beside it.
    public func snapshot<T>(_ body: () throws -> T) throws -> T {
        if snapshotConnection != nil { return try body() }
        return try read { db in
            snapshotConnection = db
            defer { snapshotConnection = nil }
            return try body()
        }
    }

    /// Runs `body` in a read transaction (one state of the database for all its queries).
    func read<T>(_ body: (any SQLConnection) throws -> T) throws -> T {
        if let connection = snapshotConnection { return try body(connection) }
        switch connection {
        case .sqlite(let queue):
            return try convertingSQLiteErrors("read") { try queue.read { db in try body(SQLiteConnection(db)) } }
        case .postgresql(let connection):
            return try serialized {
                func attempt() throws -> T {
                    try connection.transaction("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY") {
                        try body(connection)
                    }
                }
                try connection.reconnectIfLost()
                do {
                    return try attempt()
                } catch  where connection.isBroken {
                    // The server restarted since the last read (libpq learns it at the next use): a read
                    // is tried once more on a new connection.
                    try connection.reconnectIfLost()
                    return try attempt()
                }
            }
        }
    }

    /// Runs `body` in a write transaction, committed when it returns and rolled back when it throws.
    func write<T>(_ body: (any SQLConnection) throws -> T) throws -> T {
        switch connection {
        case .sqlite(let queue):
            return try convertingSQLiteErrors("write") { try queue.write { db in try body(SQLiteConnection(db)) } }
        case .postgresql(let connection):
            return try serialized {
                try connection.reconnectIfLost()
                return try connection.transaction("BEGIN") { try body(connection) }
            }
        }
    }

    /// Runs `body` with the connection outside any transaction (it manages its own).
    func writeWithoutTransaction<T>(_ body: (any SQLConnection) throws -> T) throws -> T {
        switch connection {
        case .sqlite(let queue):
            return try convertingSQLiteErrors("write") {
                try queue.writeWithoutTransaction { db in try body(SQLiteConnection(db)) }
            }
        case .postgresql(let connection):
            return try serialized { try body(connection) }
        }
    }

    private func convertingSQLiteErrors<T>(_ what: String, _ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let error as StoreError {
            throw error
        } catch {
            throw Self.storeError(error, doing: what, path: path)
        }
    }

    /// One caller at a time on the PostgreSQL connection (recursive: a snapshot's queries nest).
    func serialized<T>(_ body: () throws -> T) throws -> T {
        lock.lock()
        defer { lock.unlock() }
        return try body()
    }

    static func storeError(_ error: any Error, doing what: String, path: String? = nil) -> StoreError {
        if let error = error as? StoreError { return error }
        if let error = error as? DatabaseError {
            return StoreError.sqlite(
                code: error.extendedResultCode.rawValue, message: error.message ?? "\(error.resultCode)",
                databasePath: path, doing: what)
        }
        return StoreError("cannot \(what): \(error)")
    }
}

extension Database {
    /// The file of the main database, for error messages that explain a failure by the file's state.
    var filePath: String? { Self.filePath(of: sqliteConnection) }

    static func filePath(of connection: OpaquePointer?) -> String? {
        guard let connection, let name = sqlite3_db_filename(connection, "main") else { return nil }
        let path = String(cString: name)
        return path.isEmpty ? nil : path
    }
}
