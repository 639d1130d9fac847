import GRDB
import GRDBSQLite
import ReportModel

/// A prepared statement bound through SQLite's C interface: twice as fast as GRDB's argument arrays,
/// which matters for the millions of rows of a large import.
final class RawStatement: PreparedSQL {
    private let statement: Statement
    private var handle: OpaquePointer { statement.sqliteStatement }
    private let connection: OpaquePointer?
    private let arena: BindArena

    private static let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)

    init(_ db: Database, sql: String) throws {
        statement = try db.cachedStatement(sql: sql)
        connection = db.sqliteConnection
        arena = BindArena(statement)
    }

    /// Binds text. It is copied into the statement's arena and bound in place (`SQLITE_STATIC`), sparing
    /// SQLite an allocation per value; text that does not fit is copied by SQLite.
    func bind(_ index: Int32, _ text: String?) {
        guard var text else {
            sqlite3_bind_null(handle, index)
            return
        }
        _ = text.withUTF8 { bytes in
            if let base = bytes.baseAddress, !bytes.isEmpty {
                if let kept = arena.keep(bytes) {
                    sqlite3_bind_text(handle, index, kept, Int32(bytes.count), nil)
                } else {
                    sqlite3_bind_text(handle, index, base, Int32(bytes.count), Self.transient)
                }
            } else {
                sqlite3_bind_text(handle, index, "", 0, nil)
            }
        }
    }

    func bind(_ index: Int32, _ value: Int64?) {
        if let value { sqlite3_bind_int64(handle, index, value) } else { sqlite3_bind_null(handle, index) }
    }

    func bind(_ index: Int32, _ value: Int) {
        sqlite3_bind_int64(handle, index, Int64(value))
    }

    func bind(_ index: Int32, _ value: Int?) {
        bind(index, value.map(Int64.init))
    }

    func bind(_ index: Int32, _ value: Bool) {
        sqlite3_bind_int64(handle, index, value ? 1 : 0)
    }

    func bind(_ index: Int32, blob: [UInt8]) {
        blob.withUnsafeBytes { bytes in
            _ = sqlite3_bind_blob(
                handle, index, bytes.baseAddress ?? UnsafeRawPointer(bitPattern: 1), Int32(bytes.count), Self.transient)
        }
    }

    /// Runs a query and returns the first column of its first row as an integer (`nil` for no row or NULL).
    func queryInt64() throws -> Int64? {
        defer { reset() }
        let result = sqlite3_step(handle)
        switch result {
        case SQLITE_ROW:
            return sqlite3_column_type(handle, 0) == SQLITE_NULL ? nil : sqlite3_column_int64(handle, 0)
        case SQLITE_DONE:
            return nil
        default:
            throw error(result)
        }
    }

    /// Runs a query, handing each row's first column (integer) and second column (blob) to `body`.
    func queryIDsAndBlobs() throws -> [(Int64, [UInt8])] {
        defer { reset() }
        var rows: [(Int64, [UInt8])] = []
        while true {
            let result = sqlite3_step(handle)
            guard result == SQLITE_ROW else {
                if result == SQLITE_DONE { return rows }
                throw error(result)
            }
            let id = sqlite3_column_int64(handle, 0)
            let count = Int(sqlite3_column_bytes(handle, 1))
            var blob = [UInt8](repeating: 0, count: count)
            if count > 0, let base = sqlite3_column_blob(handle, 1) {
                blob.withUnsafeMutableBytes { $0.copyMemory(from: UnsafeRawBufferPointer(start: base, count: count)) }
            }
            rows.append((id, blob))
        }
    }

    /// Binds GRDB arguments (positional) in one go, for queries built with ``ReportDatabase`` filters.
    func bind(_ arguments: SQLArguments) throws {
        try statement.setArguments(StatementArguments(arguments))
    }

    /// Steps a query: true while there is a row to read with the column accessors. Call ``reset()``
    /// before binding again.
    func step() throws -> Bool {
        let result = sqlite3_step(handle)
        switch result {
        case SQLITE_ROW: return true
        case SQLITE_DONE: return false
        default: throw error(result)
        }
    }

    /// Resets the statement for new bindings. Text bound from the arena is unbound first, so that no
    /// binding can outlive the bytes it points to.
    func reset() {
        sqlite3_reset(handle)
        if arena.inUse {
            sqlite3_clear_bindings(handle)
            arena.clear()
        }
    }

    func int64(_ column: Int32) -> Int64 {
        sqlite3_column_int64(handle, column)
    }

    /// A numeric column as a double: totals that `+` may have turned to floating point.
    func double(_ column: Int32) -> Double {
        sqlite3_column_double(handle, column)
    }

    /// A text column's UTF-8 bytes, valid until the next step (empty for NULL).
    func bytes(_ column: Int32) -> UnsafeBufferPointer<UInt8> {
        let pointer = sqlite3_column_text(handle, column)
        return UnsafeBufferPointer(
            start: pointer, count: pointer == nil ? 0 : Int(sqlite3_column_bytes(handle, column)))
    }

    func text(_ column: Int32) -> String? {
        guard let pointer = sqlite3_column_text(handle, column) else { return nil }
        let count = Int(sqlite3_column_bytes(handle, column))
        return String(decoding: UnsafeBufferPointer(start: pointer, count: count), as: UTF8.self)
    }

    private func error(_ result: Int32) -> StoreError {
        let message = connection.map { String(cString: sqlite3_errmsg($0)) } ?? "unknown error"
        return StoreError.sqlite(
            code: result, message: message, databasePath: Database.filePath(of: connection), doing: nil)
    }

    /// Runs the statement once and resets it for the next bindings.
    func execute() throws {
        let result = sqlite3_step(handle)
        reset()
        guard result == SQLITE_DONE || result == SQLITE_ROW else { throw error(result) }
    }

    /// The rowid of the last row inserted on this connection.
    var lastInsertedRowID: Int64 {
        sqlite3_last_insert_rowid(connection)
    }

    func insertReturningID() throws -> Int64 {
        try execute()
        return lastInsertedRowID
    }
}

/// The bytes of the text bound to one statement, kept until the statement is reset.
private final class BindArena {
    private let statement: Statement
    private let base: UnsafeMutableRawPointer
    private let capacity = 4096
    private var used = 0

    init(_ statement: Statement) {
        self.statement = statement
        base = UnsafeMutableRawPointer.allocate(byteCount: capacity, alignment: 8)
    }

    deinit {
        // The statement is cached and outlives this wrapper: leave it nothing that points here.
        if inUse {
            sqlite3_reset(statement.sqliteStatement)
            sqlite3_clear_bindings(statement.sqliteStatement)
        }
        base.deallocate()
    }

    var inUse: Bool { used > 0 }

    /// A copy of `bytes` valid until ``clear()``, or `nil` when the arena is full.
    func keep(_ bytes: UnsafeBufferPointer<UInt8>) -> UnsafeRawPointer? {
        guard bytes.count <= capacity - used else { return nil }
        let target = base + used
        target.copyMemory(from: bytes.baseAddress!, byteCount: bytes.count)
        used += bytes.count
        return UnsafeRawPointer(target)
    }

    func clear() {
        used = 0
    }
}

extension Database {
    /// Runs one statement through the connection's statement cache: prepared once, reused by every input.
    func run(_ sql: String, _ arguments: StatementArguments = []) throws {
        try cachedStatement(sql: sql).execute(arguments: arguments)
    }
}
