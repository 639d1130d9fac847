import CPostgres
import Foundation
import GRDB
import ReportModel

/// One libpq connection to PostgreSQL, synchronous like the rest of the store. Values go to the server as
/// text (blobs as binary) and come back as text, converted by the column's type: integers and booleans to
/// integers, `real`/`double`/`numeric` to reals, `bytea` to blobs, the rest to text, which is what the
/// SQLite engine gives for the same queries.
final class PostgresConnection: SQLConnection {
    private let handle: OpaquePointer
    /// The server and database, for messages (never the password).
    let displayName: String
    /// `?` placeholders rewritten to `$n`, by SQL text.
    private var rewritten: [String: String] = [:]
    private var preparedCount = 0

    var engine: StoreEngine { .postgresql }

    /// Connects with a `postgresql://` URL (any libpq connection string); `password`, when given, is used
    /// instead of one from `~/.pgpass` or `PGPASSWORD`.
    /// - Throws: ``StoreError``, temporary when the server cannot be reached or refuses connections for now.
    init(url: String, password: String? = nil, applicationName: String = "rua") throws {
        displayName = PostgresLocation.redacted(url)
        self.url = url
        self.password = password
        self.applicationName = applicationName
        var keywords = ["dbname", "application_name", "connect_timeout"]
        var values = [url, applicationName, "10"]
        if let password {
            keywords.append("password")
            values.append(password)
        }
        let connection = Self.withCStrings(keywords) { keywordPointers in
            Self.withCStrings(values) { valuePointers in
                // expand_dbname = 1: the URL is expanded; the keywords after it override its parts.
                PQconnectdbParams(keywordPointers, valuePointers, 1)
            }
        }
        guard let connection else { throw StoreError("cannot connect to PostgreSQL at \(displayName): out of memory") }
        guard PQstatus(connection) == CONNECTION_OK else {
            let message = Self.trimmed(PQerrorMessage(connection))
            PQfinish(connection)
            throw Self.connectionError(message, displayName: displayName)
        }
        handle = connection
        PQsetNoticeReceiver(handle, { _, _ in }, nil)
        try configureSession()
    }

    private let url: String
    private let password: String?
    private let applicationName: String

    /// A second connection to the same database, for work that must commit outside this one's transaction.
    func sibling() throws -> PostgresConnection {
        try PostgresConnection(url: url, password: password, applicationName: applicationName)
    }

    /// Connects again after the connection was lost (the server restarted): for a long-running process
    /// such as `rua serve`, whose next request then works. Statements prepared before are gone with the
    /// old session; an import's connection (pipelined) is not reset: its import has failed (exit 75).
    func reconnectIfLost() throws {
        guard PQstatus(handle) != CONNECTION_OK, !pipelining else { return }
        PQreset(handle)
        guard PQstatus(handle) == CONNECTION_OK else {
            throw Self.connectionError(Self.trimmed(PQerrorMessage(handle)), displayName: displayName)
        }
        rewritten.removeAll()
        try configureSession()
    }

    private func configureSession() throws {
        // Reports' queries group and sort hundreds of thousands of rollup rows: with the default 4 MB they
        // sort on disk, and JIT compiling costs them more than it saves (the 500-domain digest: 1.1–1.2 s
        // with these, 1.4–1.7 s without). A server that allows a session more memory keeps its setting.
        try execute(
            """
            SET client_min_messages = warning; SET TIME ZONE 'UTC'; SET jit = off;
            SELECT set_config('work_mem', '64MB', false)
            WHERE pg_size_bytes(current_setting('work_mem')) < 64 * 1024 * 1024
            """)
    }

    deinit {
        PQfinish(handle)
    }

    /// Whether the connection still works (libpq notices a broken connection at its next use).
    var isBroken: Bool { PQstatus(handle) != CONNECTION_OK }

    /// Whether a transaction is open on the connection.
    var inTransaction: Bool { PQtransactionStatus(handle) != PQTRANS_IDLE }

    /// Runs `body` between `begin` and COMMIT, rolled back when it throws. Inside an open transaction,
    /// `body` simply runs in it.
    func transaction<T>(_ begin: String, _ body: () throws -> T) throws -> T {
        if inTransaction { return try body() }
        try execute(begin)
        do {
            let result = try body()
            try execute("COMMIT")
            try flushDeferred()
            return result
        } catch {
            if !isBroken {
                try? execute("ROLLBACK")
                try? flushDeferred()
            }
            throw error
        }
    }

    // MARK: - Pipelining

    /// In pipeline mode (an import's connection), statements whose results are not needed at once are
    /// sent without waiting for them: an import's dozen inserts per input then cost one round trip to the
    /// server instead of one each. The SQL of each statement sent and not yet answered, in order.
    private var deferred: [String] = []
    /// The statements whose preparation was sent and not yet answered, by their place in ``deferred``.
    private var preparing: [Int: PostgresStatement] = [:]
    private(set) var pipelining = false

    /// Enters pipeline mode: ``execute(_:_:)`` and ``PostgresStatement/execute()`` then only send, and the
    /// next statement whose result is wanted (or ``flushDeferred()``) collects their answers; the first
    /// error among them is thrown there.
    func beginPipeline() {
        guard !pipelining, PQenterPipelineMode(handle) == 1 else { return }
        pipelining = true
    }

    /// Collects what was sent and leaves pipeline mode.
    func endPipeline() throws {
        guard pipelining else { return }
        defer {
            PQexitPipelineMode(handle)
            pipelining = false
        }
        try flushDeferred()
    }

    /// Waits for every statement sent and not yet answered; throws the first one's error.
    func flushDeferred() throws {
        guard pipelining, !deferred.isEmpty else { return }
        guard PQpipelineSync(handle) == 1 else { throw error(nil, doing: deferred.last ?? "") }
        if let result = try collect(keepingLast: false) { PQclear(result) }
    }

    /// Reads the answers of the statements sent, up to the pipeline's sync point: the last statement's
    /// result when `keepingLast`, the first error otherwise thrown.
    private func collect(keepingLast: Bool) throws -> OpaquePointer? {
        let statements = deferred
        let prepared = preparing
        deferred = []
        preparing = [:]
        var failure: StoreError?
        var kept: OpaquePointer?
        for (index, sql) in statements.enumerated() {
            // A preparation the pipeline skipped (after an error) is sent again before the statement's next use.
            prepared[index]?.isPrepared = false
            while let result = PQgetResult(handle) {
                let status = PQresultStatus(result)
                if status == PGRES_COMMAND_OK { prepared[index]?.isPrepared = true }
                if status == PGRES_FATAL_ERROR, failure == nil { failure = error(result, doing: sql) }
                if keepingLast, index == statements.count - 1, status == PGRES_TUPLES_OK || status == PGRES_COMMAND_OK {
                    kept = result
                } else {
                    PQclear(result)
                }
            }
            if PQstatus(handle) != CONNECTION_OK, failure == nil { failure = error(nil, doing: sql) }
        }
        // The sync point's own result.
        if let sync = PQgetResult(handle) { PQclear(sync) }
        if let failure {
            if let kept { PQclear(kept) }
            throw failure
        }
        return kept
    }

    /// Sends a statement (`send` returns libpq's 1 for sent) and returns its result: at once outside
    /// pipeline mode (`run` runs it), else after collecting what was sent before it.
    private func perform(
        _ sql: String, run: () -> OpaquePointer?, send: () -> Int32, accepting: [ExecStatusType]
    ) throws -> OpaquePointer {
        let result: OpaquePointer?
        if pipelining {
            guard send() == 1 else { throw error(nil, doing: sql) }
            deferred.append(sql)
            guard PQpipelineSync(handle) == 1 else { throw error(nil, doing: sql) }
            result = try collect(keepingLast: true)
            guard let result else { throw error(nil, doing: sql) }
            return result
        }
        result = run()
        guard let result else { throw error(nil, doing: sql) }
        guard accepting.contains(PQresultStatus(result)) else {
            defer { PQclear(result) }
            throw error(result, doing: sql)
        }
        return result
    }

    // MARK: - Queries

    /// Runs a statement; in pipeline mode, only sends it (its error comes with a later answer).
    func execute(_ sql: String, _ arguments: SQLArguments) throws {
        if pipelining {
            let text = placeholders(sql)
            let sent = withParameters(arguments) { count, types, values, lengths, formats in
                PQsendQueryParams(handle, text, count, types, values, lengths, formats, 0)
            }
            guard sent == 1 else { throw error(nil, doing: sql) }
            deferred.append(sql)
            return
        }
        let result = try run(sql, arguments)
        PQclear(result)
    }

    /// Runs a prepared statement; in pipeline mode, only sends it.
    func executePrepared(_ name: String, sql: String, values: [Parameter]) throws {
        guard pipelining else {
            PQclear(try runPrepared(name, sql: sql, values: values))
            return
        }
        let sent = Self.withParameterArrays(values) { count, _, pointers, lengths, formats in
            PQsendQueryPrepared(handle, name, count, pointers, lengths, formats, 0)
        }
        guard sent == 1 else { throw error(nil, doing: sql) }
        deferred.append(sql)
    }

    func executeCounting(_ sql: String, _ arguments: SQLArguments) throws -> Int {
        let result = try run(sql, arguments)
        defer { PQclear(result) }
        return Int(String(cString: PQcmdTuples(result))) ?? 0
    }

    func rows(_ sql: String, _ arguments: SQLArguments) throws -> [StoreRow] {
        let result = try run(sql, arguments)
        defer { PQclear(result) }
        let reader = ResultReader(result)
        return (0..<PQntuples(result)).map { reader.row($0) }
    }

    /// Rows through a server-side cursor, fetched ``fetchSize`` at a time: a result of millions of rows
    /// is never held whole, and `body` may run other statements on this connection meanwhile (a cursor
    /// lives in a transaction; one is opened around it when none is).
    func forEachRow(_ sql: String, _ arguments: SQLArguments, _ body: (StoreRow) throws -> Void) throws {
        try transaction("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY") {
            let cursor = try openCursor(sql, arguments.map(Self.parameter))
            defer { closeCursor(cursor) }
            var columns: StoreColumns?
            while true {
                let result = try fetch(from: cursor, count: Self.fetchSize)
                defer { PQclear(result) }
                let reader = ResultReader(result, columns: columns)
                columns = reader.columns
                let count = PQntuples(result)
                for row in 0..<count { try body(reader.row(row)) }
                if count < Self.fetchSize { return }
            }
        }
    }

    static let fetchSize: Int32 = 2_000
    private var cursorCount = 0

    /// Declares a cursor for a query; returns its name.
    func openCursor(_ sql: String, _ parameters: [Parameter]) throws -> String {
        cursorCount += 1
        let name = "rua_cursor_\(cursorCount)"
        let text = "DECLARE \(name) NO SCROLL CURSOR FOR " + placeholders(sql)
        let result = try Self.withParameterArrays(parameters) { count, types, values, lengths, formats in
            try perform(
                sql, run: { PQexecParams(handle, text, count, types, values, lengths, formats, 0) },
                send: { PQsendQueryParams(handle, text, count, types, values, lengths, formats, 0) },
                accepting: [PGRES_COMMAND_OK])
        }
        PQclear(result)
        return name
    }

    func closeCursor(_ name: String) {
        guard PQtransactionStatus(handle) == PQTRANS_INTRANS || pipelining else { return }
        try? execute("CLOSE \(name)", [])
    }

    /// Fetches the next rows of a cursor.
    func fetch(from cursor: String, count: Int32) throws -> OpaquePointer {
        try run("FETCH \(count) FROM \(cursor)", [])
    }

    func steppedQuery(_ sql: String) throws -> any PreparedSQL {
        PostgresCursorQuery(connection: self, sql: sql, parameters: Self.parameterCount(placeholders(sql)))
    }

    func prepare(_ sql: String, returningID: Bool) throws -> any PreparedSQL {
        preparedCount += 1
        let name = "rua_\(preparedCount)"
        let text = placeholders(sql) + (returningID ? " RETURNING id" : "")
        let statement = PostgresStatement(
            connection: self, name: name, sql: sql, text: text, parameters: Self.parameterCount(text))
        try send(statement)
        return statement
    }

    /// Prepares `statement` on the server: in a pipeline, only sent (what was sent before it may have
    /// failed; then the pipeline skips it, and it is sent again before its next use).
    func send(_ statement: PostgresStatement) throws {
        if pipelining {
            guard PQsendPrepare(handle, statement.name, statement.text, 0, nil) == 1 else {
                throw error(nil, doing: statement.sql)
            }
            preparing[deferred.count] = statement
            deferred.append(statement.sql)
            statement.isPrepared = true
            return
        }
        let result = try perform(
            statement.sql, run: { PQprepare(handle, statement.name, statement.text, 0, nil) },
            send: { PQsendPrepare(handle, statement.name, statement.text, 0, nil) }, accepting: [PGRES_COMMAND_OK])
        PQclear(result)
        statement.isPrepared = true
    }

    /// Sends rows to `COPY table (columns) FROM STDIN` in PostgreSQL's text format, already encoded. COPY
    /// has no place in a pipeline: what was sent is collected and the pipeline left around it.
    func copy(into table: String, columns: [String], data: [UInt8]) throws {
        let resume = pipelining
        if resume { try endPipeline() }
        defer { if resume { beginPipeline() } }
        let sql = "COPY \(table) (\(columns.joined(separator: ", "))) FROM STDIN"
        let started = PQexec(handle, sql)
        let status = PQresultStatus(started)
        guard status == PGRES_COPY_IN else {
            defer { PQclear(started) }
            throw error(started, doing: sql)
        }
        PQclear(started)
        let sent = data.withUnsafeBufferPointer { buffer in
            buffer.baseAddress.map { base in
                base.withMemoryRebound(to: CChar.self, capacity: buffer.count) {
                    PQputCopyData(handle, $0, Int32(buffer.count))
                }
            } ?? 1
        }
        let ended = PQputCopyEnd(handle, sent == 1 ? nil : "rua: sending failed")
        var failure: (any Error)?
        while let result = PQgetResult(handle) {
            if PQresultStatus(result) != PGRES_COMMAND_OK, failure == nil { failure = error(result, doing: sql) }
            PQclear(result)
        }
        if let failure { throw failure }
        guard sent == 1, ended == 1 else { throw error(nil, doing: sql) }
    }

    // MARK: - Running

    /// Runs a statement and returns its result, or throws the server's error.
    func run(_ sql: String, _ arguments: SQLArguments) throws -> OpaquePointer {
        let text = placeholders(sql)
        if arguments.isEmpty && !pipelining {
            return try perform(
                sql, run: { PQexec(handle, text) }, send: { 0 },
                accepting: [PGRES_COMMAND_OK, PGRES_TUPLES_OK, PGRES_EMPTY_QUERY])
        }
        return try withParameters(arguments) { count, types, values, lengths, formats in
            try perform(
                sql, run: { PQexecParams(handle, text, count, types, values, lengths, formats, 0) },
                send: { PQsendQueryParams(handle, text, count, types, values, lengths, formats, 0) },
                accepting: [PGRES_COMMAND_OK, PGRES_TUPLES_OK, PGRES_EMPTY_QUERY])
        }
    }

    func runPrepared(
        _ name: String, sql: String, values: [Parameter]
    ) throws -> OpaquePointer {
        try Self.withParameterArrays(values) { count, _, pointers, lengths, formats in
            try perform(
                sql, run: { PQexecPrepared(handle, name, count, pointers, lengths, formats, 0) },
                send: { PQsendQueryPrepared(handle, name, count, pointers, lengths, formats, 0) },
                accepting: [PGRES_COMMAND_OK, PGRES_TUPLES_OK])
        }
    }

    /// The SQL with `?` placeholders numbered as PostgreSQL's `$1, $2…` (outside quotes and comments).
    private func placeholders(_ sql: String) -> String {
        if let done = rewritten[sql] { return done }
        var output = [UInt8]()
        output.reserveCapacity(sql.utf8.count + 16)
        var number = 0
        var quote: UInt8?
        var comment = false
        var previous: UInt8 = 0
        let bytes = Array(sql.utf8)
        for (offset, byte) in bytes.enumerated() {
            if comment {
                if byte == UInt8(ascii: "\n") { comment = false }
            } else if let open = quote {
                if byte == open { quote = nil }
            } else if byte == UInt8(ascii: "'") || byte == UInt8(ascii: "\"") {
                quote = byte
            } else if byte == UInt8(ascii: "-") && previous == UInt8(ascii: "-") {
                comment = true
            } else if byte == UInt8(ascii: "?") {
                // `?NNN` (SQLite's numbered form) keeps its number; a bare `?` takes the next.
                output.append(UInt8(ascii: "$"))
                previous = byte
                if let next = bytes.dropFirst(offset + 1).first, next >= 0x30, next <= 0x39 { continue }
                number += 1
                output.append(contentsOf: "\(number)".utf8)
                continue
            }
            output.append(byte)
            previous = byte
        }
        let text = String(decoding: output, as: UTF8.self)
        if rewritten.count < 512 { rewritten[sql] = text }
        return text
    }

    private static func parameterCount(_ text: String) -> Int {
        var highest = 0
        var digits: Int?
        for byte in text.utf8 {
            if let current = digits, byte >= 0x30, byte <= 0x39 {
                digits = current * 10 + Int(byte - 0x30)
                continue
            }
            if let current = digits { highest = max(highest, current) }
            digits = byte == UInt8(ascii: "$") ? 0 : nil
        }
        if let current = digits { highest = max(highest, current) }
        return highest
    }

    // MARK: - Parameters

    /// A value as libpq sends it: text, or bytes in binary format (for `bytea`), with the type the
    /// server is told (0: inferred from the statement).
    enum Parameter {
        case null
        case text(String, type: UInt32)
        case binary([UInt8])
    }

    static func parameter(_ value: (any DatabaseValueConvertible)?) -> Parameter {
        guard let value else { return .null }
        switch value.databaseValue.storage {
        case .null: return .null
        case .int64(let number): return .text(String(number), type: 20)
        case .double(let number): return .text(number.description, type: 701)
        case .string(let text): return .text(text, type: 25)
        case .blob(let data): return .binary([UInt8](data))
        }
    }

    private func withParameters<R>(
        _ arguments: SQLArguments,
        _ body: (
            Int32, UnsafePointer<UInt32>?, UnsafePointer<UnsafePointer<CChar>?>?, UnsafePointer<Int32>?,
            UnsafePointer<Int32>?
        ) throws -> R
    ) rethrows -> R {
        try Self.withParameterArrays(arguments.map(Self.parameter), body)
    }

    static func withParameterArrays<R>(
        _ parameters: [Parameter],
        _ body: (
            Int32, UnsafePointer<UInt32>?, UnsafePointer<UnsafePointer<CChar>?>?, UnsafePointer<Int32>?,
            UnsafePointer<Int32>?
        ) throws -> R
    ) rethrows -> R {
        var types = [UInt32](repeating: 0, count: parameters.count)
        var lengths = [Int32](repeating: 0, count: parameters.count)
        var formats = [Int32](repeating: 0, count: parameters.count)
        var storage = [UnsafeMutablePointer<CChar>?](repeating: nil, count: parameters.count)
        defer { for pointer in storage { pointer?.deallocate() } }
        for (index, parameter) in parameters.enumerated() {
            switch parameter {
            case .null:
                break
            case .text(let text, let type):
                types[index] = type
                // PostgreSQL's text cannot hold NUL (libpq would cut the value there): dropped, as by COPY.
                let bytes = text.utf8.contains(0) ? text.utf8.filter { $0 != 0 } : Array(text.utf8)
                let pointer = UnsafeMutablePointer<CChar>.allocate(capacity: bytes.count + 1)
                bytes.withUnsafeBytes { raw in
                    UnsafeMutableRawPointer(pointer).copyMemory(from: raw.baseAddress!, byteCount: bytes.count)
                }
                pointer[bytes.count] = 0
                storage[index] = pointer
                lengths[index] = Int32(bytes.count)
            case .binary(let bytes):
                types[index] = 17
                let pointer = UnsafeMutablePointer<CChar>.allocate(capacity: max(bytes.count, 1))
                if !bytes.isEmpty {
                    bytes.withUnsafeBytes { raw in
                        UnsafeMutableRawPointer(pointer).copyMemory(from: raw.baseAddress!, byteCount: bytes.count)
                    }
                }
                storage[index] = pointer
                lengths[index] = Int32(bytes.count)
                formats[index] = 1
            }
        }
        let pointers = storage.map { UnsafePointer($0) }
        return try body(Int32(parameters.count), types, pointers, lengths, formats)
    }

    // MARK: - Errors

    /// The server's error as a ``StoreError``: temporary when the server cannot be reached, is shutting
    /// down or starting, has no room (connections, disk, memory), or a transaction lost a conflict
    /// (deadlock, serialization); otherwise about what was asked.
    func error(_ result: OpaquePointer?, doing sql: String) -> StoreError {
        let message: String
        let state: String?
        if let result {
            message = Self.trimmed(PQresultErrorMessage(result))
            state = PQresultErrorField(result, Int32(UInt8(ascii: "C"))).map { String(cString: $0) }
        } else {
            message = Self.trimmed(PQerrorMessage(handle))
            state = nil
        }
        let text = message.isEmpty ? "unknown error" : message
        if PQstatus(handle) != CONNECTION_OK || state == nil {
            return StoreError("PostgreSQL at \(displayName): \(text)", isTemporary: true)
        }
        var error = Self.classified(state ?? "", "PostgreSQL at \(displayName): \(text)")
        error.constraint = result.flatMap { PQresultErrorField($0, Int32(UInt8(ascii: "n"))) }.map {
            String(cString: $0)
        }
        return error
    }

    /// The SQLSTATE of the error a ``StoreError`` came from, when PostgreSQL gave one.
    static func classified(_ state: String, _ message: String) -> StoreError {
        var error = StoreError(message + " (SQLSTATE \(state))")
        switch state.prefix(2) {
        case "08", "53", "57", "58", "40":
            error.isTemporary = true
        case "55" where state == "55P03":
            error.isTemporary = true
        case "23" where state == "23514" && message.contains("no partition of relation"):
            // A month of records that rua prune dropped while this import stored into it: run again, the
            // import creates the month anew.
            error.isTemporary = true
        case "22", "23", "54":
            // Data the server refused (an invalid value, a constraint, a limit): the input's own problem.
            error.concernsDatabase = false
        default:
            break
        }
        error.sqlState = state
        return error
    }

    static func connectionError(_ message: String, displayName: String) -> StoreError {
        // A refused login or a missing database does not mend itself; an unreachable server may.
        let permanent = [
            "password authentication failed", "no password supplied", "does not exist",
            "no pg_hba.conf entry", "certificate", "SSL error", "role",
        ]
        let isPermanent =
            permanent.contains { message.localizedCaseInsensitiveContains($0) }
            && !message.contains("the database system is starting up")
        return StoreError("cannot connect to PostgreSQL at \(displayName): \(message)", isTemporary: !isPermanent)
    }

    static func trimmed(_ pointer: UnsafePointer<CChar>?) -> String {
        guard let pointer else { return "" }
        return String(cString: pointer).trimmingCharacters(in: .whitespacesAndNewlines)
            .replacingOccurrences(of: "\n", with: "; ")
    }

    private static func withCStrings<R>(_ strings: [String], _ body: (UnsafePointer<UnsafePointer<CChar>?>) -> R) -> R {
        var pointers: [UnsafeMutablePointer<CChar>?] = strings.map { strdup($0) }
        pointers.append(nil)
        defer { for pointer in pointers { free(pointer) } }
        return pointers.map { UnsafePointer($0) }.withUnsafeBufferPointer { body($0.baseAddress!) }
    }
}

/// Reads libpq's text results into the store's rows.
private struct ResultReader {
    let result: OpaquePointer
    let columns: StoreColumns
    private let kinds: [Kind]

    enum Kind {
        case integer, boolean, real, blob, text
    }

    init(_ result: OpaquePointer, columns: StoreColumns? = nil) {
        self.result = result
        let count = PQnfields(result)
        self.columns =
            columns ?? StoreColumns((0..<count).map { String(cString: PQfname(result, $0)) })
        kinds = (0..<count).map { column in
            switch PQftype(result, column) {
            case 20, 21, 23, 26: return .integer
            case 16: return .boolean
            case 700, 701, 1700: return .real
            case 17: return .blob
            default: return .text
            }
        }
    }

    func row(_ index: Int32) -> StoreRow {
        var values: [DatabaseValue] = []
        values.reserveCapacity(kinds.count)
        for (column, kind) in kinds.enumerated() {
            let column = Int32(column)
            if PQgetisnull(result, index, column) == 1 {
                values.append(.null)
                continue
            }
            let pointer = PQgetvalue(result, index, column)!
            let length = Int(PQgetlength(result, index, column))
            switch kind {
            case .integer:
                values.append(Int64(String(cString: pointer))?.databaseValue ?? .null)
            case .boolean:
                values.append(Int64(pointer.pointee == CChar(UInt8(ascii: "t")) ? 1 : 0).databaseValue)
            case .real:
                values.append(Double(String(cString: pointer))?.databaseValue ?? .null)
            case .blob:
                var size = 0
                if let bytes = PQunescapeBytea(UnsafeRawPointer(pointer).assumingMemoryBound(to: UInt8.self), &size) {
                    values.append(Data(bytes: bytes, count: size).databaseValue)
                    PQfreemem(bytes)
                } else {
                    values.append(.null)
                }
            case .text:
                let text = UnsafeRawBufferPointer(start: pointer, count: length)
                values.append(String(decoding: text, as: UTF8.self).databaseValue)
            }
        }
        return StoreRow(columns: columns, values: values)
    }
}

/// A statement prepared on the server; bound values are kept until it runs.
final class PostgresStatement: PostgresStepping {
    private unowned let connection: PostgresConnection
    let name: String
    let sql: String
    /// The SQL as sent, placeholders numbered.
    let text: String
    var values: [PostgresConnection.Parameter]
    /// False when the server has not got it (its preparation was skipped): it is prepared again first.
    var isPrepared = false

    init(connection: PostgresConnection, name: String, sql: String, text: String, parameters: Int) {
        self.connection = connection
        self.name = name
        self.sql = sql
        self.text = text
        values = Array(repeating: .null, count: parameters)
    }

    func bind(_ index: Int32, _ text: String?) {
        values[Int(index) - 1] = text.map { .text($0, type: 0) } ?? .null
    }

    func bind(_ index: Int32, _ value: Int64?) {
        values[Int(index) - 1] = value.map { .text(String($0), type: 0) } ?? .null
    }

    func bind(_ index: Int32, blob: [UInt8]) {
        values[Int(index) - 1] = .binary(blob)
    }

    private func run() throws -> OpaquePointer {
        if let stepped {
            PQclear(stepped.result)
            self.stepped = nil
        }
        defer { for index in values.indices { values[index] = .null } }
        if !isPrepared { try connection.send(self) }
        return try connection.runPrepared(name, sql: sql, values: values)
    }

    func execute() throws {
        if let stepped {
            PQclear(stepped.result)
            self.stepped = nil
        }
        defer { for index in values.indices { values[index] = .null } }
        if !isPrepared { try connection.send(self) }
        try connection.executePrepared(name, sql: sql, values: values)
    }

    func insertReturningID() throws -> Int64 {
        guard let id = try queryInt64() else { throw StoreError("PostgreSQL returned no id for: \(sql)") }
        return id
    }

    func queryInt64() throws -> Int64? {
        let result = try run()
        defer { PQclear(result) }
        guard PQntuples(result) > 0, PQgetisnull(result, 0, 0) == 0 else { return nil }
        return PostgresValues.int64(result, 0, 0)
    }

    func queryIDsAndBlobs() throws -> [(Int64, [UInt8])] {
        let result = try run()
        defer { PQclear(result) }
        return (0..<PQntuples(result)).map { row in
            (PostgresValues.int64(result, row, 0), PostgresValues.blob(result, row, 1))
        }
    }

    /// The rows of the last run, stepped through (the whole result is held: for small results).
    private var stepped: (result: OpaquePointer, row: Int32)?

    var position: (result: OpaquePointer, row: Int32)? { stepped }

    deinit {
        if let stepped { PQclear(stepped.result) }
    }

    func step() throws -> Bool {
        if let current = stepped {
            stepped = (current.result, current.row + 1)
        } else {
            stepped = (try run(), 0)
        }
        return stepped.map { $0.row < PQntuples($0.result) } ?? false
    }

    func reset() {
        if let stepped { PQclear(stepped.result) }
        stepped = nil
        for index in values.indices { values[index] = .null }
    }
}

/// A query stepped through a server-side cursor, a batch of rows at a time.
final class PostgresCursorQuery: PostgresStepping {
    private unowned let connection: PostgresConnection
    private let sql: String
    var values: [PostgresConnection.Parameter]
    private var cursor: String?
    private var batch: (result: OpaquePointer, row: Int32, count: Int32)?
    private var exhausted = false

    var position: (result: OpaquePointer, row: Int32)? { batch.map { ($0.result, $0.row) } }

    init(connection: PostgresConnection, sql: String, parameters: Int) {
        self.connection = connection
        self.sql = sql
        values = Array(repeating: .null, count: parameters)
    }

    deinit { reset() }

    func bind(_ index: Int32, _ text: String?) { values[Int(index) - 1] = text.map { .text($0, type: 25) } ?? .null }
    func bind(_ index: Int32, _ value: Int64?) {
        values[Int(index) - 1] = value.map { .text(String($0), type: 20) } ?? .null
    }
    func bind(_ index: Int32, blob: [UInt8]) { values[Int(index) - 1] = .binary(blob) }

    func step() throws -> Bool {
        if cursor == nil {
            cursor = try connection.openCursor(sql, values)
            exhausted = false
        }
        if var current = batch {
            current.row += 1
            batch = current
            if current.row < current.count { return true }
            PQclear(current.result)
            batch = nil
            if exhausted { return false }
        }
        guard let cursor else { return false }
        let result = try connection.fetch(from: cursor, count: PostgresConnection.fetchSize)
        let count = PQntuples(result)
        exhausted = count < PostgresConnection.fetchSize
        batch = (result, 0, count)
        if count == 0 {
            PQclear(result)
            batch = nil
            return false
        }
        return true
    }

    func reset() {
        if let batch { PQclear(batch.result) }
        batch = nil
        if let cursor { connection.closeCursor(cursor) }
        cursor = nil
        for index in values.indices { values[index] = .null }
    }

    func execute() throws {
        while try step() {}
        reset()
    }

    func insertReturningID() throws -> Int64 {
        throw StoreError("a stepped query returns no id: \(sql)")
    }

    func queryInt64() throws -> Int64? {
        defer { reset() }
        return try step() ? int64(0) : nil
    }

    func queryIDsAndBlobs() throws -> [(Int64, [UInt8])] {
        defer { reset() }
        var rows: [(Int64, [UInt8])] = []
        while try step() {
            if let batch { rows.append((int64(0), PostgresValues.blob(batch.result, batch.row, 1))) }
        }
        return rows
    }
}

/// PostgreSQL's stepped statements: the row they stand on, read by column.
protocol PostgresStepping: PreparedSQL {
    var position: (result: OpaquePointer, row: Int32)? { get }
    var values: [PostgresConnection.Parameter] { get set }
}

extension PostgresStepping {
    func int64(_ column: Int32) -> Int64 { position.map { PostgresValues.int64($0.result, $0.row, column) } ?? 0 }
    func double(_ column: Int32) -> Double { position.map { PostgresValues.double($0.result, $0.row, column) } ?? 0 }
    func text(_ column: Int32) -> String? { position.flatMap { PostgresValues.text($0.result, $0.row, column) } }
    func bytes(_ column: Int32) -> UnsafeBufferPointer<UInt8> {
        position.map { PostgresValues.bytes($0.result, $0.row, column) } ?? UnsafeBufferPointer(start: nil, count: 0)
    }

    func bind(_ arguments: SQLArguments) throws {
        for (index, argument) in arguments.enumerated() { values[index] = PostgresConnection.parameter(argument) }
    }
}

/// Values of libpq's text results.
enum PostgresValues {
    static func int64(_ result: OpaquePointer, _ row: Int32, _ column: Int32) -> Int64 {
        guard PQgetisnull(result, row, column) == 0, let value = PQgetvalue(result, row, column) else { return 0 }
        return strtoll(value, nil, 10)
    }

    static func double(_ result: OpaquePointer, _ row: Int32, _ column: Int32) -> Double {
        guard PQgetisnull(result, row, column) == 0, let value = PQgetvalue(result, row, column) else { return 0 }
        return strtod(value, nil)
    }

    static func text(_ result: OpaquePointer, _ row: Int32, _ column: Int32) -> String? {
        guard PQgetisnull(result, row, column) == 0, let value = PQgetvalue(result, row, column) else { return nil }
        let length = Int(PQgetlength(result, row, column))
        return String(decoding: UnsafeRawBufferPointer(start: value, count: length), as: UTF8.self)
    }

    /// A text value's bytes in the result (valid while it is).
    static func bytes(_ result: OpaquePointer, _ row: Int32, _ column: Int32) -> UnsafeBufferPointer<UInt8> {
        guard PQgetisnull(result, row, column) == 0, let value = PQgetvalue(result, row, column) else {
            return UnsafeBufferPointer(start: nil, count: 0)
        }
        return UnsafeRawPointer(value).withMemoryRebound(to: UInt8.self, capacity: 1) {
            UnsafeBufferPointer(start: $0, count: Int(PQgetlength(result, row, column)))
        }
    }

    static func blob(_ result: OpaquePointer, _ row: Int32, _ column: Int32) -> [UInt8] {
        guard PQgetisnull(result, row, column) == 0, let value = PQgetvalue(result, row, column) else { return [] }
        var size = 0
        guard let bytes = PQunescapeBytea(UnsafeRawPointer(value).assumingMemoryBound(to: UInt8.self), &size) else {
            return []
        }
        defer { PQfreemem(bytes) }
        return Array(UnsafeBufferPointer(start: bytes, count: size))
    }
}
