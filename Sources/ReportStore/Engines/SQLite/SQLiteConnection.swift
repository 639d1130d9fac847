import GRDB
import ReportModel

/// A GRDB connection (`Database`) as the store's queries use it. Statements go through GRDB's cache:
/// each text is prepared once per connection.
final class SQLiteConnection: SQLConnection {
    let db: Database

    init(_ db: Database) {
        self.db = db
    }

    var engine: StoreEngine { .sqlite }

    var inTransaction: Bool { db.isInsideTransaction }

    func flushDeferred() throws {}

    func execute(_ sql: String, _ arguments: SQLArguments) throws {
        if arguments.isEmpty {
            try db.execute(sql: sql)
        } else {
            try db.cachedStatement(sql: sql).execute(arguments: StatementArguments(arguments))
        }
    }

    func executeCounting(_ sql: String, _ arguments: SQLArguments) throws -> Int {
        try execute(sql, arguments)
        return db.changesCount
    }

    func rows(_ sql: String, _ arguments: SQLArguments) throws -> [StoreRow] {
        try Row.fetchAll(db.cachedStatement(sql: sql), arguments: StatementArguments(arguments)).map(StoreRow.init)
    }

    func forEachRow(_ sql: String, _ arguments: SQLArguments, _ body: (StoreRow) throws -> Void) throws {
        let cursor = try Row.fetchCursor(db.cachedStatement(sql: sql), arguments: StatementArguments(arguments))
        while let row = try cursor.next() { try body(StoreRow(row)) }
    }

    func prepare(_ sql: String, returningID: Bool) throws -> any PreparedSQL {
        try RawStatement(db, sql: sql)
    }

    func steppedQuery(_ sql: String) throws -> any PreparedSQL {
        try RawStatement(db, sql: sql)
    }
}
