import Foundation
import ReportModel

/// PostgreSQL keeps records, and their DKIM, SPF and override rows, in one partition per month of their
/// report's end, so that `rua prune` drops a month's partitions instead of deleting its rows one by one.
///
/// The month is in the record id: month `m` owns the ids `m << 37 ..< (m + 1) << 37` (a record's children,
/// whose ids are the record's shifted left 16 bits, the same range shifted), and each month has its own
/// sequence of id blocks. The tables are partitioned by id range, so every query that finds records by
/// their report's id range (``RecordReader``, the joins of ``ReportDatabase/recordsOf(_:_:_:)``) reads one
/// partition, and nothing above the store knows of months.
///
/// Month 1 is January 2000 and everything before it, month 1023 March 2085 and everything after. The ids
/// below month 1 belong to the records stored before partitioning (`record_legacy`, which prune empties
/// row by row).
enum RecordPartitions {
    /// The partitioned tables, and how far their ids are shifted from the record's.
    static let tables: [(name: String, shift: Int)] = [
        ("record", 0), ("dkim_result_extra", 16), ("spf_result_extra", 16), ("override_reason", 16),
    ]
    static let monthBits = 37
    static let months = 1...1023
    /// A month's records take ids from its sequence in blocks of this many (an importer's block serves
    /// its reports of that month until it runs out).
    static let blockSize: Int64 = 65_536

    // MARK: - Months

    /// The month whose partition holds the records of a report ending at `time` (Unix seconds).
    static func month(containing time: Int64) -> Int {
        var seconds = time_t(time)
        var parts = tm()
        guard gmtime_r(&seconds, &parts) != nil else { return time < 0 ? months.lowerBound : months.upperBound }
        let index = (Int(parts.tm_year) - 100) * 12 + Int(parts.tm_mon) + 1
        return min(max(index, months.lowerBound), months.upperBound)
    }

    /// The first second of month `index` (also for `months.upperBound + 1`, where the last one ends).
    static func start(ofMonth index: Int) -> Int64 {
        var parts = tm()
        parts.tm_year = Int32(100 + (index - 1) / 12)
        parts.tm_mon = Int32((index - 1) % 12)
        parts.tm_mday = 1
        return Int64(timegm(&parts))
    }

    /// The month's name in its tables' and sequence's names: `2026_05`.
    static func suffix(_ index: Int) -> String {
        let zeroBased = index - 1
        let month = zeroBased % 12 + 1
        return "\(2000 + zeroBased / 12)_\(month < 10 ? "0" : "")\(month)"
    }

    static func sequence(_ index: Int) -> String { "record_id_\(suffix(index))" }

    /// The record ids of month `index`: `lower ..< upper`.
    static func recordIDs(_ index: Int) -> (lower: Int64, upper: Int64) {
        (Int64(index) << monthBits, Int64(index + 1) << monthBits)
    }

    /// A partition's bounds as SQL: the last month's children end past the largest integer, so MAXVALUE.
    private static func bounds(_ index: Int, shift: Int) -> String {
        let lower = Int64(index) << (monthBits + shift)
        let fits = monthBits + shift + (Int.bitWidth - (index + 1).leadingZeroBitCount) <= 63
        return "FROM (\(lower)) TO (\(fits ? String(Int64(index + 1) << (monthBits + shift)) : "MAXVALUE"))"
    }

    /// The month of a partition's name (`record_2026_05` → its index), if it is one.
    static func month(ofTable name: String, table: String) -> Int? {
        guard name.hasPrefix(table + "_") else { return nil }
        let parts = name.dropFirst(table.count + 1).split(separator: "_")
        guard parts.count == 2, let year = Int(parts[0]), let month = Int(parts[1]), (1...12).contains(month),
            parts[0].count == 4, parts[1].count == 2
        else { return nil }
        let index = (year - 2000) * 12 + month
        return months.contains(index) ? index : nil
    }

    // MARK: - Creating

    /// The advisory lock key of creating and dropping partitions.
    static let lockKey: Int64 = 0x7275_615F_7061_7274

    /// Creates month `index`'s partitions and id sequence, unless another process has meanwhile. Runs on a
    /// connection without an open transaction (its DDL commits at once): an importer's own transaction
    /// keeps going beside it, as attaching a partition does not wait for the table's readers and writers.
    /// - Returns: the oid of the month's sequence.
    @discardableResult
    static func create(month index: Int, on connection: PostgresConnection) throws -> Int64 {
        let sequence = sequence(index)
        try connection.execute("SET lock_timeout = '30s'")
        try connection.execute("SELECT pg_advisory_lock(?)", [lockKey])
        defer {
            try? connection.execute("SELECT pg_advisory_unlock(?)", [lockKey])
            try? connection.execute("RESET lock_timeout")
        }
        let oid = "SELECT to_regclass(?)::oid::bigint"
        if let existing = try connection.value(Int64.self, oid, [sequence]) { return existing }
        for (table, shift) in tables {
            let partition = "\(table)_\(suffix(index))"
            let state = try attachment(of: partition, on: connection)
            if state == nil {
                try connection.execute(
                    "CREATE TABLE \(partition) (LIKE \(table) INCLUDING DEFAULTS INCLUDING GENERATED INCLUDING CONSTRAINTS)"
                )
            }
            if state != "attached" {
                try connection.execute(
                    "ALTER TABLE \(table) ATTACH PARTITION \(partition) FOR VALUES \(bounds(index, shift: shift))")
            }
        }
        // Last: a month with a sequence has all its partitions.
        try connection.execute(
            """
            CREATE SEQUENCE \(sequence) INCREMENT BY \(blockSize) START WITH \(blockSize)
                MAXVALUE \((Int64(1) << monthBits) - blockSize)
            """)
        guard let created = try connection.value(Int64.self, oid, [sequence]) else {
            throw StoreError("PostgreSQL at \(connection.displayName): \(sequence) was not created")
        }
        return created
    }

    // MARK: - Dropping

    /// Drops the partitions of every month that ended before `cutoff` and holds no record of a report
    /// ending after it (a report whose end is not the month of its records stays with them), and marks
    /// their reports' records pruned at `now`. Each month is detached concurrently first, so readers and
    /// importers never wait for it; a month another process stored into meanwhile is attached again and
    /// left to the row-by-row prune.
    /// - Returns: the reports marked and the records dropped.
    static func drop(
        before cutoff: Int64, now: Int64, on connection: PostgresConnection
    ) throws -> (
        reports: Int, records: Int
    ) {
        var result = (reports: 0, records: 0)
        let months = try connection.values(
            String.self,
            "SELECT relname::text FROM pg_class WHERE relkind = 'S' AND relname::text LIKE 'record\\_id\\_%'"
        ).compactMap { month(ofTable: $0, table: "record_id") }
        // What a stopped prune left: detaches to finish, and tables of months that stay to attach again.
        let states = try connection.rows(
            """
            SELECT c.relname::text AS name, \(attachmentState) AS state
            FROM pg_class c LEFT JOIN pg_inherits i ON i.inhrelid = c.oid
            WHERE c.relkind = 'r' AND c.relname::text ~ '_[0-9]{4}_[0-9]{2}$'
            """
        ).map { ($0["name"] as String, $0["state"] as String) }
        for (name, state) in states where state == "pending" {
            guard let table = tables.first(where: { month(ofTable: name, table: $0.name) != nil }) else { continue }
            try connection.execute("ALTER TABLE \(table.name) DETACH PARTITION \(name) FINALIZE")
        }
        let leftDetached = Set(
            states.filter { $0.1 != "attached" }.compactMap { name, _ in
                tables.lazy.compactMap { month(ofTable: name, table: $0.name) }.first
            })
        for index in months.sorted() {
            let (lower, upper) = recordIDs(index)
            let laterReport = """
                SELECT EXISTS (SELECT 1 FROM report WHERE first_record >= ? AND first_record < ?
                                                      AND records_pruned_at IS NULL AND end_utc >= ?)
                """
            let over = index < Self.months.upperBound && start(ofMonth: index + 1) <= cutoff
            guard over, try connection.value(Bool.self, laterReport, [lower, upper, cutoff]) != true else {
                // Stays: attached again if a stopped prune had detached it.
                if leftDetached.contains(index) {
                    try connection.transaction("BEGIN") {
                        try connection.execute("SELECT pg_advisory_xact_lock(?)", [lockKey])
                        try reattach(month: index, on: connection)
                    }
                }
                continue
            }
            for (table, _) in tables {
                let partition = "\(table)_\(suffix(index))"
                if try attachment(of: partition, on: connection) == "attached" {
                    try connection.execute("ALTER TABLE \(table) DETACH PARTITION \(partition) CONCURRENTLY")
                }
            }
            // Detached: nothing can store into the month any more, and what was stored before is committed.
            let dropped = try connection.transaction("BEGIN") { () -> (Int, Int)? in
                try connection.execute("SELECT pg_advisory_xact_lock(?)", [lockKey])
                if try connection.value(Bool.self, laterReport, [lower, upper, cutoff]) == true {
                    try reattach(month: index, on: connection)
                    return nil
                }
                // Each report's record count is the number of its records stored (all of them, in this month).
                let marked = try connection.rows(
                    """
                    WITH marked AS (
                        UPDATE report SET records_pruned_at = ?
                        WHERE first_record >= ? AND first_record < ? AND records_pruned_at IS NULL
                        RETURNING records)
                    SELECT count(*) AS reports, COALESCE(sum(records), 0)::bigint AS records FROM marked
                    """, [now, lower, upper]
                ).first
                let (reports, records): (Int, Int) = (marked?["reports"] ?? 0, marked?["records"] ?? 0)
                for (table, _) in tables {
                    try connection.execute("DROP TABLE IF EXISTS \(table)_\(suffix(index))")
                }
                try connection.execute("DROP SEQUENCE \(sequence(index))")
                return (reports, records)
            }
            if let (reports, records) = dropped {
                result.reports += reports
                result.records += records
            }
        }
        return result
    }

    /// Attaches the month's partitions that are detached.
    private static func reattach(month index: Int, on connection: PostgresConnection) throws {
        for (table, shift) in tables {
            let partition = "\(table)_\(suffix(index))"
            guard try attachment(of: partition, on: connection) == "detached" else { continue }
            try connection.execute(
                "ALTER TABLE \(table) ATTACH PARTITION \(partition) FOR VALUES \(bounds(index, shift: shift))")
        }
    }

    /// A table's place in its partitioned table (`c` its pg_class row, `i` its pg_inherits row if any):
    /// `attached`, `pending` (a concurrent detach was interrupted) or `detached`.
    private static let attachmentState = """
        CASE WHEN i.inhdetachpending THEN 'pending' WHEN i.inhrelid IS NOT NULL THEN 'attached' ELSE 'detached' END
        """

    /// See ``attachmentState``; `nil` when there is no such table.
    private static func attachment(of partition: String, on connection: PostgresConnection) throws -> String? {
        try connection.value(
            String.self,
            """
            SELECT \(attachmentState) FROM pg_class c LEFT JOIN pg_inherits i ON i.inhrelid = c.oid
            WHERE c.oid = to_regclass(?)
            """, [partition])
    }
}
