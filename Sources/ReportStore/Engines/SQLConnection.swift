import GRDB
import ReportModel

/// Values bound to a statement's `?` placeholders, in order.
typealias SQLArguments = [(any DatabaseValueConvertible)?]

/// One connection as the store's queries use it, whichever the engine: SQL with `?` placeholders, rows
/// read by column name or position. The SQL the queries write runs on both engines; where the engines
/// differ, a query asks ``engine`` and each engine's text stays beside the other.
protocol SQLConnection: AnyObject {
    var engine: StoreEngine { get }

    /// Whether a transaction is open (a failed statement may have ended it).
    var inTransaction: Bool { get }

    /// Waits for the statements sent and not yet answered (PostgreSQL's pipeline), throwing the first
    /// one's error; SQLite runs each statement at once.
    func flushDeferred() throws

    /// Runs statements that return no rows (several, separated by semicolons, when there are no arguments).
    func execute(_ sql: String, _ arguments: SQLArguments) throws

    /// Runs one statement and returns the number of rows it changed.
    func executeCounting(_ sql: String, _ arguments: SQLArguments) throws -> Int

    /// Every row of a query.
    func rows(_ sql: String, _ arguments: SQLArguments) throws -> [StoreRow]

    /// The rows of a query handed to `body` one at a time, without holding them all: for results of
    /// millions of rows.
    func forEachRow(_ sql: String, _ arguments: SQLArguments, _ body: (StoreRow) throws -> Void) throws

    /// A statement prepared once and run many times (the import's inserts). `returningID`: an INSERT whose
    /// new row's id ``PreparedSQL/insertReturningID()`` returns.
    func prepare(_ sql: String, returningID: Bool) throws -> any PreparedSQL

    /// A query whose rows are stepped through (``PreparedSQL/step()``) without all being held, while
    /// other statements run on the connection: the record reader's side-by-side queries.
    func steppedQuery(_ sql: String) throws -> any PreparedSQL
}

extension SQLConnection {
    func execute(_ sql: String) throws { try execute(sql, []) }

    func prepare(_ sql: String) throws -> any PreparedSQL { try prepare(sql, returningID: false) }

    func rows(_ sql: String) throws -> [StoreRow] { try rows(sql, []) }

    /// The first row of a query, if any.
    func row(_ sql: String, _ arguments: SQLArguments = []) throws -> StoreRow? {
        var first: StoreRow?
        try forEachRow(sql, arguments) { row in
            if first == nil { first = row.copy() }
        }
        return first
    }

    /// The first column of the first row, `nil` for no row or NULL.
    func value<T: DatabaseValueConvertible>(_ type: T.Type, _ sql: String, _ arguments: SQLArguments = []) throws -> T?
    {
        guard let row = try row(sql, arguments) else { return nil }
        return T.fromDatabaseValue(row.databaseValue(at: 0))
    }

    /// The first column of every row (NULLs left out).
    func values<T: DatabaseValueConvertible>(
        _ type: T.Type, _ sql: String, _ arguments: SQLArguments = []
    ) throws
        -> [T]
    {
        var values: [T] = []
        try forEachRow(sql, arguments) { row in
            if let value = T.fromDatabaseValue(row.databaseValue(at: 0)) { values.append(value) }
        }
        return values
    }
}

/// A statement prepared on one connection, its placeholders bound by position (from 1) before each run.
protocol PreparedSQL: AnyObject {
    func bind(_ index: Int32, _ text: String?)
    func bind(_ index: Int32, _ value: Int64?)
    func bind(_ index: Int32, blob: [UInt8])
    /// Runs the statement, then clears its bindings' effect for the next run.
    func execute() throws
    /// Runs an INSERT prepared with `returningID` and returns the new row's id.
    func insertReturningID() throws -> Int64
    /// Runs a query and returns the first column of its first row (`nil` for no row or NULL).
    func queryInt64() throws -> Int64?
    /// Runs a query and returns each row's first column (integer) and second column (blob).
    func queryIDsAndBlobs() throws -> [(Int64, [UInt8])]

    /// Steps a query: true while there is a row to read with the column accessors. Call ``reset()``
    /// before binding again.
    func step() throws -> Bool
    func int64(_ column: Int32) -> Int64
    func double(_ column: Int32) -> Double
    func text(_ column: Int32) -> String?
    /// A text column's UTF-8 bytes, valid until the next step (empty for NULL).
    func bytes(_ column: Int32) -> UnsafeBufferPointer<UInt8>
    /// Binds values to the placeholders in order.
    func bind(_ arguments: SQLArguments) throws
    /// Ends a stepped query and clears its bindings for the next run.
    func reset()
}

extension PreparedSQL {
    func bind(_ index: Int32, _ value: Int) { bind(index, Int64(value)) }
    func bind(_ index: Int32, _ value: Int?) { bind(index, value.map(Int64.init)) }
    func bind(_ index: Int32, _ value: Bool) { bind(index, Int64(value ? 1 : 0)) }
}

/// A row of a result: values by column name or position, converted as GRDB converts SQLite's values
/// (ask for an optional type where the value may be NULL; a missing column reads as NULL).
struct StoreRow {
    fileprivate enum Storage {
        case sqlite(Row)
        case values(StoreColumns, [DatabaseValue])
    }

    fileprivate let storage: Storage

    init(_ row: Row) { storage = .sqlite(row) }

    init(columns: StoreColumns, values: [DatabaseValue]) { storage = .values(columns, values) }

    /// The row, kept: SQLite's rows are reused by its cursors.
    func copy() -> StoreRow {
        if case .sqlite(let row) = storage { return StoreRow(row.copy()) }
        return self
    }

    func databaseValue(at index: Int) -> DatabaseValue {
        switch storage {
        case .sqlite(let row): return row[index] as DatabaseValue
        case .values(_, let values): return values[index]
        }
    }

    func databaseValue(named name: String) -> DatabaseValue {
        switch storage {
        case .sqlite(let row):
            return row[name] as DatabaseValue? ?? .null
        case .values(let columns, let values):
            guard let index = columns.index[name] else { return .null }
            return values[index]
        }
    }

    subscript<T: DatabaseValueConvertible>(_ index: Int) -> T {
        guard let value = T.fromDatabaseValue(databaseValue(at: index)) else {
            fatalError("column \(index) is NULL or not \(T.self)")
        }
        return value
    }

    subscript<T: DatabaseValueConvertible>(_ name: String) -> T {
        guard let value = T.fromDatabaseValue(databaseValue(named: name)) else {
            fatalError("column \(name) is NULL or not \(T.self)")
        }
        return value
    }
}

/// The column names of a result, shared by its rows.
final class StoreColumns {
    let index: [String: Int]

    init(_ names: [String]) {
        var index: [String: Int] = [:]
        for (position, name) in names.enumerated() where index[name] == nil { index[name] = position }
        self.index = index
    }
}
