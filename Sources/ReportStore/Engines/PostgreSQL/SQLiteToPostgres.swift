import Foundation
import GRDB
import ReportModel

/// Copies a SQLite database into a PostgreSQL one (`rua migrate-db`): every table, originals included,
/// ids kept (but records', which PostgreSQL numbers in the month their report ends: see
/// ``RecordPartitions``), in batches of ``batchRows`` rows sent by COPY. Each batch commits together with how far its
/// table has got, so that a copy stopped anywhere (killed, server restarted) goes on from there when run
/// again; the counts of both are compared at the end.
public struct SQLiteToPostgres {
    /// The tables in an order that has every referenced row in place before the rows referring to it,
    /// each with the key it is read in (rowid tables by rowid: a resumed copy starts after the last one
    /// copied; the others by their key, resumed by position).
    static let tables: [(name: String, order: String, byRowID: Bool)] = [
        ("input_blob", "rowid", true), ("input_chunk", "rowid", true), ("input", "rowid", true),
        ("report", "rowid", true), ("tls_report", "rowid", true), ("item", "rowid", true),
        ("diagnostic", "rowid", true), ("report_error", "report_id, seq", false),
        ("report_extension", "report_id, seq", false), ("policy_published", "rowid", true), ("record", "rowid", true),
        ("dkim_result_extra", "rowid", true), ("spf_result_extra", "rowid", true), ("override_reason", "rowid", true),
        ("message", "rowid", true), ("tls_policy", "rowid", true), ("tls_failure", "rowid", true),
        ("report_rollup", "rowid", true),
        ("source_rollup", "begin_utc, policy_domain, source_ip, header_from", false),
        ("report_selector", "report_id, domain, selector", false), ("reverse_dns", "address", false),
        ("setting", "key", false), ("alert", "key", false), ("mailbox_checkpoint", "mailbox", false),
        ("dns_record", "rowid", true), ("backfill", "step", false),
    ]

    static let batchRows = 20_000
    /// The setting that names the file a copy in progress (or done) came from.
    static let sourceKey = "migrate-db.source"
    static let progressPrefix = "migrate-db.progress."

    /// A table's rows on both sides once the copy is done.
    public struct TableCount: Sendable {
        public var table: String
        public var source: Int
        public var target: Int
    }

    public struct Progress: Sendable {
        public var table: String
        public var copied: Int
        public var total: Int
    }

    private let source: ReportDatabase
    private let target: ReportDatabase

    /// - Throws: ``StoreError`` unless `source` is SQLite and `target` PostgreSQL.
    public init(from source: ReportDatabase, to target: ReportDatabase) throws {
        guard source.engine == .sqlite, target.engine == .postgresql else {
            throw StoreError("rua migrate-db copies a SQLite file into a PostgreSQL database", concernsDatabase: false)
        }
        self.source = source
        self.target = target
    }

    /// Copies what is not copied yet; returns every table's counts on both sides.
    /// - Throws: ``StoreError`` when the target holds reports of its own (not copied from this file).
    public func run(progress: (Progress) -> Void = { _ in }) throws -> [TableCount] {
        guard case .postgresql(let postgres) = target.connection else { preconditionFailure("checked at init") }
        let sourceName = (source.path as NSString).standardizingPath
        try target.serialized {
            try postgres.transaction("BEGIN") {
                let started = try postgres.value(
                    String.self, "SELECT value FROM setting WHERE key = ?", [Self.sourceKey])
                let holds =
                    try postgres.value(
                        Bool.self, "SELECT EXISTS (SELECT 1 FROM input) OR EXISTS (SELECT 1 FROM alert)") ?? false
                if let started, started != sourceName {
                    throw StoreError(
                        "\(target.path) holds a copy of \(started), not of \(sourceName)", concernsDatabase: false)
                }
                if started == nil && holds {
                    throw StoreError(
                        "\(target.path) already holds reports of its own: rua migrate-db copies into an empty database",
                        concernsDatabase: false)
                }
                try postgres.execute(
                    "INSERT INTO setting (key, value) VALUES (?, ?) ON CONFLICT (key) DO NOTHING",
                    [Self.sourceKey, sourceName])
            }
        }
        // One read transaction over the file: every table copied from the same state of it.
        return try source.read { sqlite in
            var counts: [TableCount] = []
            for table in Self.tables {
                let total = try sqlite.value(Int.self, "SELECT COUNT(*) FROM \(table.name)") ?? 0
                try copy(table, total: total, from: sqlite, to: postgres, progress: progress)
                let copied = try target.serialized {
                    try postgres.value(Int.self, "SELECT COUNT(*) FROM \(table.name)") ?? 0
                }
                let own = table.name == "setting" ? try ownSettings(postgres) : 0
                counts.append(TableCount(table: table.name, source: total, target: copied - own))
            }
            try target.serialized { try settleSequences(postgres) }
            if counts.allSatisfy({ $0.source == $0.target }) {
                try target.serialized {
                    try postgres.execute(
                        "DELETE FROM setting WHERE key LIKE 'migrate-db.progress.%'")
                }
            }
            return counts
        }
    }

    /// The copy's own settings (where it came from, how far it got), which the file does not have.
    private func ownSettings(_ postgres: PostgresConnection) throws -> Int {
        try target.serialized {
            try postgres.value(Int.self, "SELECT COUNT(*) FROM setting WHERE key LIKE 'migrate-db.%'") ?? 0
        }
    }

    private func copy(
        _ table: (name: String, order: String, byRowID: Bool), total: Int, from sqlite: any SQLConnection,
        to postgres: PostgresConnection, progress: (Progress) -> Void
    ) throws {
        let key = Self.progressPrefix + table.name
        let done =
            try target.serialized {
                try postgres.value(String.self, "SELECT value FROM setting WHERE key = ?", [key]).flatMap { Int64($0) }
            } ?? 0
        let columns = try self.columns(of: table.name, sqlite, postgres)
        let renumbering = RecordRenumbering(table: table.name, columns: columns)
        let selected = (table.byRowID ? ["rowid"] : []) + columns + (renumbering.map { [$0.reportEnd] } ?? [])
        let sql =
            "SELECT \(selected.joined(separator: ", ")) FROM \(table.name) "
            + (table.byRowID ? "WHERE rowid > ? ORDER BY rowid" : "ORDER BY \(table.order) LIMIT -1 OFFSET ?")
        var months = Set<Int>()
        var monthsReady = Set<Int>()
        var buffer = CopyBuffer()
        var rows = 0
        var position = done
        var copied =
            table.byRowID
            ? try sqlite.value(Int.self, "SELECT COUNT(*) FROM \(table.name) WHERE rowid <= ?", [done]) ?? 0 : Int(done)
        func flush() throws {
            guard rows > 0 else { return }
            let data = buffer.take()
            let reached = position
            for month in months.subtracting(monthsReady) {
                try target.serialized { try RecordPartitions.create(month: month, on: postgres) }
                monthsReady.insert(month)
            }
            try target.serialized {
                try postgres.transaction("BEGIN") {
                    try postgres.copy(into: table.name, columns: columns, data: data)
                    try postgres.execute(
                        """
                        INSERT INTO setting (key, value) VALUES (?, ?)
                        ON CONFLICT (key) DO UPDATE SET value = excluded.value
                        """, [key, String(reached)])
                }
            }
            copied += rows
            rows = 0
            progress(Progress(table: table.name, copied: copied, total: total))
        }
        try sqlite.forEachRow(sql, [done]) { row in
            let offset = table.byRowID ? 1 : 0
            var values = (0..<columns.count).map { row.databaseValue(at: $0 + offset) }
            if let renumbering {
                // A record whose report is missing goes to the first month.
                let end: Int64? = row[offset + columns.count]
                months.insert(try renumbering.apply(to: &values, reportEnd: end ?? 0))
            }
            buffer.row(values: values)
            rows += 1
            position = table.byRowID ? row[0] : position + 1
            if rows == Self.batchRows || buffer.bytes.count > 16 << 20 { try flush() }
        }
        try flush()
    }

    /// The columns both sides have (PostgreSQL's generated ones are computed there).
    private func columns(
        of table: String, _ sqlite: any SQLConnection, _ postgres: PostgresConnection
    ) throws
        -> [String]
    {
        let theirs = Set(
            try target.serialized {
                try postgres.values(
                    String.self,
                    """
                    SELECT column_name FROM information_schema.columns
                    WHERE table_schema = current_schema() AND table_name = ? AND is_generated = 'NEVER'
                    """, [table])
            })
        return try sqlite.rows("PRAGMA table_info(\(table))").map { $0["name"] as String }.filter(theirs.contains)
    }

    /// The identity sequences continue after the ids copied, and the record id blocks after the last
    /// record.
    private func settleSequences(_ postgres: PostgresConnection) throws {
        for table in [
            "input_blob", "input", "report", "tls_report", "item", "diagnostic", "message", "tls_policy",
            "tls_failure", "dns_record",
        ] {
            try postgres.execute(
                "SELECT setval(pg_get_serial_sequence('\(table)', 'id'), GREATEST((SELECT MAX(id) FROM \(table)), 1))")
        }
        let sequences = try postgres.values(
            String.self,
            "SELECT relname::text FROM pg_class WHERE relkind = 'S' AND relname::text LIKE 'record\\_id\\_%'")
        for month in sequences.compactMap({ RecordPartitions.month(ofTable: $0, table: "record_id") }) {
            let lower = RecordPartitions.recordIDs(month).lower
            let block = RecordPartitions.blockSize
            try postgres.execute(
                """
                SELECT setval(?::regclass, GREATEST(((SELECT COALESCE(MAX(id), ?) FROM record_\(RecordPartitions.suffix(month))) - ?)
                                          / ? * ? + ?, (SELECT last_value FROM \(RecordPartitions.sequence(month)))))
                """, [RecordPartitions.sequence(month), lower, lower, block, block, block])
        }
    }
}

/// A SQLite record id becomes PostgreSQL's by moving into the id range of the month its report ends
/// (SQLite's ids are below any month's range, so they stay unique); children and reports' record ranges
/// move with it.
struct RecordRenumbering {
    /// The SQL (in SQLite, for the table being copied) of the report's end.
    let reportEnd: String
    /// The columns renumbered, and how far their ids are shifted from the record's.
    private let columns: [(index: Int, shift: Int)]

    init?(table: String, columns names: [String]) {
        let shift: Int
        switch table {
        case "report":
            reportEnd = "end_utc"
            shift = 0
        case "record":
            reportEnd = "(SELECT end_utc FROM report r WHERE r.id = record.report_id)"
            shift = 0
        case "dkim_result_extra", "spf_result_extra", "override_reason":
            reportEnd = """
                (SELECT r.end_utc FROM record c JOIN report r ON r.id = c.report_id WHERE c.id = \(table).id >> 16)
                """
            shift = 16
        default:
            return nil
        }
        let renumbered: Set<String> = table == "report" ? ["first_record", "last_record"] : ["id"]
        columns = names.indices.filter { renumbered.contains(names[$0]) }.map { ($0, shift) }
    }

    /// Renumbers the row's ids; returns the month they are in.
    func apply(to values: inout [DatabaseValue], reportEnd end: Int64) throws -> Int {
        let month = RecordPartitions.month(containing: end)
        for (index, shift) in columns {
            guard case .int64(let id) = values[index].storage else { continue }
            guard id >= 0, id < Int64(1) << (RecordPartitions.monthBits + shift) else {
                throw StoreError("record id \(id) is too large to keep in a month of PostgreSQL's records")
            }
            values[index] = (RecordPartitions.recordIDs(month).lower << shift | id).databaseValue
        }
        return month
    }
}

extension CopyBuffer {
    /// A row of values as SQLite holds them: integers, reals, text and blobs (`bytea`'s hex form).
    mutating func row(values: [DatabaseValue]) {
        var fields: [(any CopyField)?] = []
        fields.reserveCapacity(values.count)
        for value in values {
            switch value.storage {
            case .null: fields.append(nil)
            case .int64(let number): fields.append(number)
            case .double(let number): fields.append(number.description)
            case .string(let text): fields.append(text)
            case .blob(let data): fields.append(HexBytes(data))
            }
        }
        row(fields)
    }
}

/// A blob in COPY's text format: `\\x` and hex digits.
struct HexBytes: CopyField {
    let data: Data

    init(_ data: Data) { self.data = data }

    func append(to bytes: inout [UInt8]) {
        let digits = Array("0123456789abcdef".utf8)
        bytes.append(contentsOf: [0x5C, 0x5C, 0x78])
        for byte in data {
            bytes.append(digits[Int(byte >> 4)])
            bytes.append(digits[Int(byte & 0x0F)])
        }
    }
}
