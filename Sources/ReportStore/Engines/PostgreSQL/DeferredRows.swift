import Foundation
import GRDB
import ReportModel

/// PostgreSQL: rows an import adds that nothing reads back before the transaction commits (items and
/// their diagnostics, messages, a report's policy, rollup and DKIM selectors), held and sent a table at a
/// time (``UnnestInsert``) when the group commits, instead of a statement each: six statements fewer per
/// input for the server to run and the importer to send. The import's savepoints hold for them too: a
/// rollback to a savepoint drops the rows held since it.
final class DeferredRows {
    private struct Table {
        let name: String
        let columns: [(name: String, type: String)]
        let conflict: String
        var insert: UnnestInsert?
    }

    private var tables: [Table] = []
    /// The rows held, in order, each with its table.
    private var rows: [(table: Int, values: [DatabaseValue])] = []
    /// How many rows were held when each open savepoint was taken.
    private var marks: [String: Int] = [:]
    private let connection: PostgresConnection

    init(_ connection: PostgresConnection) {
        self.connection = connection
    }

    /// The statement that holds the rows `sql` (an INSERT of one row, `INSERT INTO table (columns) VALUES
    /// (…) [clause]`) would insert: bind each column in order, then execute. `integers` names its bigint
    /// columns (the others are text); with `reservedID`, an `id` column the caller reserved comes last.
    /// Tables are written in the order they are registered here (a table whose rows refer to another's
    /// comes after it).
    func statement(inserting sql: String, integers: Set<String>, reservedID: Bool = false) -> any PreparedSQL {
        let words = sql.split(whereSeparator: \.isWhitespace)
        guard words.count > 3, words[0] == "INSERT", words[1] == "INTO", let open = sql.firstIndex(of: "("),
            let close = sql.firstIndex(of: ")"), let values = sql.range(of: "VALUES"),
            let end = sql[values.upperBound...].firstIndex(of: ")")
        else { preconditionFailure("an INSERT of one row: \(sql)") }
        let names =
            sql[sql.index(after: open)..<close].split(separator: ",").map {
                $0.trimmingCharacters(in: .whitespacesAndNewlines)
            }
            + (reservedID ? ["id"] : [])
        tables.append(
            Table(
                name: String(words[2]),
                columns: names.map { ($0, integers.contains($0) || $0 == "id" ? "bigint" : "text") },
                conflict: sql[sql.index(after: end)...].trimmingCharacters(in: .whitespacesAndNewlines)))
        return DeferredInsert(rows: self, table: tables.count - 1, width: names.count)
    }

    fileprivate func hold(_ table: Int, _ values: [DatabaseValue]) {
        rows.append((table, values))
    }

    var isEmpty: Bool { rows.isEmpty }

    /// A savepoint's mark stays after its release: in a pipeline, a release sent after a statement that
    /// failed is skipped by the server, and the rollback that follows goes to the savepoint still there.
    func savepoint(_ name: String) { marks[name] = rows.count }
    func rollBack(to name: String) { rows.removeSubrange(min(marks[name] ?? 0, rows.count)...) }

    /// Sends the rows held, a statement per table; in a pipeline, only sends them.
    func write() throws {
        guard !rows.isEmpty else { return }
        var byTable = Array(repeating: [[DatabaseValue]](), count: tables.count)
        for (table, values) in rows { byTable[table].append(values) }
        rows.removeAll(keepingCapacity: true)
        // What is written now is the transaction's, and its savepoints' rollbacks undo it there.
        for name in marks.keys { marks[name] = 0 }
        for index in tables.indices where !byTable[index].isEmpty {
            let table = tables[index]
            let insert =
                try table.insert
                ?? UnnestInsert(connection, table: table.name, columns: table.columns, conflict: table.conflict)
            tables[index].insert = insert
            try insert.execute(byTable[index])
        }
    }

    /// Forgets the rows held (the transaction was rolled back).
    func clear() {
        rows.removeAll()
        marks.removeAll()
    }
}

/// A statement whose rows ``DeferredRows`` holds: it can be bound and executed, not queried.
private final class DeferredInsert: ExecutedOnly {
    private let rows: DeferredRows
    private let table: Int
    private var values: [DatabaseValue]

    init(rows: DeferredRows, table: Int, width: Int) {
        self.rows = rows
        self.table = table
        values = Array(repeating: .null, count: width)
    }

    func bind(_ index: Int32, _ text: String?) { values[Int(index) - 1] = text?.databaseValue ?? .null }
    func bind(_ index: Int32, _ value: Int64?) { values[Int(index) - 1] = value?.databaseValue ?? .null }
    func bind(_ index: Int32, blob: [UInt8]) { values[Int(index) - 1] = Data(blob).databaseValue }

    func bind(_ arguments: SQLArguments) throws {
        for (index, value) in arguments.enumerated() { values[index] = value?.databaseValue ?? .null }
    }

    func execute() throws {
        rows.hold(table, values)
        for index in values.indices { values[index] = .null }
    }

    func reset() {}
}

/// A savepoint or a rollback to one, keeping ``DeferredRows`` in step with it.
final class SavepointStatement: ExecutedOnly {
    enum Action {
        case take, rollBack
    }

    private let statement: any PreparedSQL
    private let rows: DeferredRows
    private let action: Action
    private let name: String

    init(_ statement: any PreparedSQL, rows: DeferredRows, action: Action, name: String) {
        self.statement = statement
        self.rows = rows
        self.action = action
        self.name = name
    }

    func execute() throws {
        try statement.execute()
        switch action {
        case .take: rows.savepoint(name)
        case .rollBack: rows.rollBack(to: name)
        }
    }

    func bind(_ index: Int32, _ text: String?) {}
    func bind(_ index: Int32, _ value: Int64?) {}
    func bind(_ index: Int32, blob: [UInt8]) {}
    func bind(_ arguments: SQLArguments) throws {}
    func reset() {}
}

/// A statement that is only ever executed, never queried.
private protocol ExecutedOnly: PreparedSQL {}

extension ExecutedOnly {
    func insertReturningID() throws -> Int64 { throw StoreError("\(Self.self) gives no id") }
    func queryInt64() throws -> Int64? { throw StoreError("\(Self.self) is not a query") }
    func queryIDsAndBlobs() throws -> [(Int64, [UInt8])] { throw StoreError("\(Self.self) is not a query") }
    func step() throws -> Bool { throw StoreError("\(Self.self) is not a query") }
    func int64(_ column: Int32) -> Int64 { preconditionFailure("\(Self.self) is not a query") }
    func double(_ column: Int32) -> Double { preconditionFailure("\(Self.self) is not a query") }
    func text(_ column: Int32) -> String? { preconditionFailure("\(Self.self) is not a query") }
    func bytes(_ column: Int32) -> UnsafeBufferPointer<UInt8> { preconditionFailure("\(Self.self) is not a query") }
}
