import ReportModel

/// The statements an import runs for every input, prepared once per connection and kept for the whole
/// batch: thousands of small inputs then cost no SQL parsing or statement-cache lookups.
final class ImportStatements {
    private let db: any SQLConnection
    /// PostgreSQL: the rows held until the group commits, and the statements that hold them (in the order
    /// they are written: items before their diagnostics).
    let deferred: DeferredRows?
    private let deferredItem, deferredDiagnostic, deferredMessage, deferredPolicy, deferredRollup,
        deferredSelector: (any PreparedSQL)?

    init(db: any SQLConnection) {
        self.db = db
        guard let connection = db as? PostgresConnection else {
            deferred = nil
            (deferredItem, deferredDiagnostic, deferredMessage, deferredPolicy, deferredRollup, deferredSelector) =
                (nil, nil, nil, nil, nil, nil)
            return
        }
        let rows = DeferredRows(connection)
        deferred = rows
        deferredItem = rows.statement(
            inserting: Self.insertItemSQL, integers: ["input_id", "report_id", "tls_report_id"], reservedID: true)
        deferredDiagnostic = rows.statement(
            inserting: Self.insertDiagnosticSQL, integers: ["item_id", "report_id", "occurrences"])
        deferredMessage = rows.statement(inserting: Self.insertMessageSQL, integers: ["input_id"])
        deferredPolicy = rows.statement(inserting: Self.insertPolicySQL, integers: ["report_id", "pct"])
        deferredRollup = rows.statement(
            inserting: RollupStatements.insertReportRollupSQL,
            integers: [
                "report_id", "messages", "dmarc_pass", "dkim_aligned", "spf_aligned", "computed_pass",
                "unsupported_pass", "contradicting_fail", "disagreeing_records", "quarantine", "reject",
            ])
        deferredSelector = rows.statement(inserting: Self.insertSelectorSQL, integers: ["report_id"])
    }

    private func prepare(_ sql: String, returningID: Bool = false) throws -> any PreparedSQL {
        let statement = try db.prepare(sql, returningID: returningID)
        guard let deferred else { return statement }
        // Savepoints keep the held rows in step.
        let words = sql.split(separator: " ")
        switch words.first {
        case "SAVEPOINT": return SavepointStatement(statement, rows: deferred, action: .take, name: String(words[1]))
        case "ROLLBACK" where words.count == 3:
            return SavepointStatement(statement, rows: deferred, action: .rollBack, name: String(words[2]))
        default: return statement
        }
    }

    var engine: StoreEngine { db.engine }

    /// An INSERT whose new row's id ``insert(_:)`` gives: SQLite's rowid, or on PostgreSQL an id the
    /// importer reserved, bound as one more parameter at the end (so that the insert joins the pipeline
    /// instead of waiting for a RETURNING).
    private func prepareInsert(_ sql: String) throws -> InsertStatement {
        guard engine == .postgresql else { return InsertStatement(statement: try prepare(sql, returningID: true)) }
        guard let table = sql.split(separator: " ").dropFirst(2).first,
            let columnsEnd = sql.firstIndex(of: ")"), let valuesEnd = sql.lastIndex(of: ")")
        else { preconditionFailure("an INSERT of one row: \(sql)") }
        var text = sql
        text.replaceSubrange(valuesEnd...valuesEnd, with: ", ?)")
        text.replaceSubrange(columnsEnd...columnsEnd, with: ", id)")
        let parameters = sql.filter { $0 == "?" }.count
        return InsertStatement(
            statement: try prepare(text), reserve: { try self.reserveID(String(table)) },
            idParameter: Int32(parameters + 1))
    }

    /// PostgreSQL's ids reserved from each table's sequence, a hundred at a time.
    private var reservedIDs: [String: ArraySlice<Int64>] = [:]

    private func reserveID(_ table: String) throws -> Int64 {
        if reservedIDs[table, default: []].isEmpty {
            reservedIDs[table] = ArraySlice(
                try db.values(
                    Int64.self, "SELECT nextval(pg_get_serial_sequence(?, 'id')) FROM generate_series(1, 100)",
                    [table]))
        }
        return reservedIDs[table]!.removeFirst()
    }

    // Inputs
    private(set) lazy var inputBySHA = Result { try prepare(ReportDatabase.inputByDigest) }
    private(set) lazy var blobBySHA = Result { try prepare("SELECT id FROM input_blob WHERE sha256 = ?") }
    /// On PostgreSQL with a reserved id, sent without waiting: content stored already (by this importer or
    /// another) shows as a unique violation of ``ImportBatch/contentIndex`` when the input's statements
    /// are answered.
    private(set) lazy var insertBlob = Result {
        try prepareInsert("INSERT INTO input_blob (sha256, size, encoding) VALUES (?, ?, ?)")
    }
    private(set) lazy var insertChunk = Result {
        try prepare(
            "INSERT INTO input_chunk (blob_id, seq, data) VALUES (?, ?, ?)")
    }
    private(set) lazy var insertInput = Result {
        try prepareInsert("INSERT INTO input (blob_id, name, imported_at) VALUES (?, ?, ?)")
    }
    private(set) lazy var savepointInput = Result { try prepare("SAVEPOINT input") }
    private(set) lazy var releaseInput = Result { try prepare("RELEASE input") }

    // Items and messages
    private(set) lazy var insertItem = Result {
        if let deferredItem {
            return InsertStatement(statement: deferredItem, reserve: { try self.reserveID("item") }, idParameter: 8)
        }
        return try prepareInsert(Self.insertItemSQL)
    }
    static let insertItemSQL =
        "INSERT INTO item (input_id, part, outcome, kind, report_id, tls_report_id, reason) VALUES (?, ?, ?, ?, ?, ?, ?)"
    private(set) lazy var insertDiagnostic = Result {
        if let deferredDiagnostic { return deferredDiagnostic }
        return try prepare(Self.insertDiagnosticSQL)
    }
    static let insertDiagnosticSQL =
        "INSERT INTO diagnostic (item_id, report_id, code, severity, message, occurrences) VALUES (?, ?, ?, ?, ?, ?)"
    private(set) lazy var insertMessage = Result {
        if let deferredMessage { return deferredMessage }
        return try prepare(Self.insertMessageSQL)
    }
    static let insertMessageSQL = """
        INSERT INTO message (input_id, part, message_id, date, from_address, subject, tls_report_domain,
                             tls_report_submitter)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?)
        """

    // DMARC reports
    private(set) lazy var savepointReport = Result { try prepare("SAVEPOINT report") }
    private(set) lazy var releaseReport = Result { try prepare("RELEASE report") }
    private(set) lazy var rollbackReport = Result { try prepare("ROLLBACK TO report") }
    /// PostgreSQL: a savepoint around the report's identity, whose unique index may find that another
    /// importer committed the same report meanwhile (SQLite has one writer at a time: nil).
    private(set) lazy var savepointIdentity = engine == .postgresql ? try? prepare("SAVEPOINT identity") : nil
    private(set) lazy var releaseIdentity = engine == .postgresql ? try? prepare("RELEASE identity") : nil
    private(set) lazy var rollbackIdentity = engine == .postgresql ? try? prepare("ROLLBACK TO identity") : nil
    private(set) lazy var insertReportPlaceholder = Result {
        try prepareInsert(
            """
            INSERT INTO report (input_id, part, reporter, report_id, report_key, policy_domain, begin_utc, end_utc,
                                recovered, payload_sha256, records, messages, counted, imported_at)
            VALUES (?, ?, '', '', '', '', 0, 0, 0, \(self.engine == .sqlite ? "x''" : "''::bytea"), 0, 0, 0, ?)
            """)
    }
    private(set) lazy var reportsWithIdentity = Result { try prepare(Self.reportsWithIdentitySQL(self.engine)) }
    /// Reports of one identity. SQLite's planner, without statistics, takes `report_by_reporter` for
    /// this (it serves the ORDER BY) and then scans every report of the reporter and day: with 100,000
    /// of them each import took a hundred times longer. The identity's own index is named.
    static func reportsWithIdentitySQL(_ engine: StoreEngine) -> String {
        """
        SELECT id, payload_sha256 FROM report \(engine == .sqlite ? "INDEXED BY report_identity" : "")
        WHERE reporter = ? AND report_key = ? AND policy_domain = ? AND begin_utc = ? AND end_utc = ? AND id <> ?
        ORDER BY id
        """
    }
    private(set) lazy var updateReport = Result {
        try prepare(
            """
            UPDATE report SET reporter = ?, org_name = ?, email = ?, extra_contact_info = ?, report_id = ?,
                report_key = ?, policy_domain = ?, begin_utc = ?, end_utc = ?, generator = ?, version = ?,
                namespace = ?, recovered = ?, payload_sha256 = ?, records = ?, messages = ?, counted = ?,
                variant_of = ?,
                first_record = ?, last_record = ?
            WHERE id = ?
            """)
    }
    private(set) lazy var insertPolicy = Result {
        if let deferredPolicy { return deferredPolicy }
        return try prepare(Self.insertPolicySQL)
    }
    static let insertPolicySQL = """
        INSERT INTO policy_published (report_id, domain, adkim, aspf, p, sp, np, pct, fo, testing, discovery_method)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
        """
    private(set) lazy var reportInput = Result { try prepare("SELECT input_id FROM report WHERE id = ?") }

    // TLS reports
    private(set) lazy var tlsReportsWithIdentity = Result { try prepare(Self.tlsReportsWithIdentitySQL(self.engine)) }
    /// TLS reports of one identity, through the identity's index (see ``reportsWithIdentitySQL``).
    static func tlsReportsWithIdentitySQL(_ engine: StoreEngine) -> String {
        """
        SELECT id, payload_sha256 FROM tls_report \(engine == .sqlite ? "INDEXED BY tls_report_identity" : "")
        WHERE organization_name IS NOT DISTINCT FROM ? AND report_id = ? AND begin_utc = ? AND end_utc = ? ORDER BY id
        """
    }
    private(set) lazy var insertTLSReport = Result {
        try prepare(
            """
            INSERT INTO tls_report (input_id, part, organization_name, contact_info, report_id, begin_utc, end_utc,
                                    payload_sha256, policies, successful_sessions, failed_sessions, counted,
                                    variant_of, imported_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """, returningID: true)
    }
    private(set) lazy var insertTLSPolicy = Result {
        try prepare(
            """
            INSERT INTO tls_policy (tls_report_id, seq, policy_type, policy_string, policy_domain, mx_hosts, mode,
                                    successful_sessions, failed_sessions)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
            """, returningID: true)
    }
    private(set) lazy var insertTLSFailure = Result {
        try prepare(
            """
            INSERT INTO tls_failure (tls_policy_id, result_type, sending_mta_ip, receiving_mx_hostname,
                                     receiving_mx_helo, receiving_ip, failed_sessions, additional_information,
                                     failure_reason_code)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
            """)
    }
    private(set) lazy var tlsReportInput = Result { try prepare("SELECT input_id FROM tls_report WHERE id = ?") }

    private(set) lazy var insertSelector = Result {
        if let deferredSelector { return deferredSelector }
        return try prepare(Self.insertSelectorSQL)
    }
    static let insertSelectorSQL =
        "INSERT INTO report_selector (report_id, domain, selector) VALUES (?, ?, ?) ON CONFLICT DO NOTHING"

    private(set) lazy var records = Result { () throws -> any RecordInserting in
        switch self.db {
        case let connection as PostgresConnection: PostgresRecordCopier(connection)
        case let connection as SQLiteConnection: try SQLiteRecordInserter(connection.db)
        default: preconditionFailure("unknown engine")
        }
    }
    private(set) lazy var rollups = Result { try RollupStatements(self.db, reportRollup: self.deferredRollup) }
    private(set) lazy var rollbackInput = Result { try prepare("ROLLBACK TO input") }
}

/// An INSERT of one row whose id is wanted: bind its parameters as written, then ``insert()``.
struct InsertStatement {
    let statement: any PreparedSQL
    var reserve: (() throws -> Int64)?
    var idParameter: Int32 = 0

    func bind(_ index: Int32, _ text: String?) { statement.bind(index, text) }
    func bind(_ index: Int32, blob: [UInt8]) { statement.bind(index, blob: blob) }
    func bind(_ index: Int32, _ value: Int64?) { statement.bind(index, value) }
    func bind(_ index: Int32, _ value: Int) { statement.bind(index, value) }
    func bind(_ index: Int32, _ value: Int?) { statement.bind(index, value) }
    func bind(_ index: Int32, _ value: Bool) { statement.bind(index, value) }

    /// Runs the insert; returns the new row's id.
    func insert() throws -> Int64 {
        guard let reserve else { return try statement.insertReturningID() }
        let id = try reserve()
        statement.bind(idParameter, id)
        try statement.execute()
        return id
    }
}
