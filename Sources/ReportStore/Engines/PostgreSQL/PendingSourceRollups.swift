import GRDB

/// PostgreSQL's source rollup rows of an import batch, added to the table when the batch commits, in key
/// order. Importers on several hosts add to the same rows (the same day, domain and source in reports
/// from different reporters): each such row is locked until its transaction commits, and two
/// transactions that took the same rows in different orders would deadlock. Taking them all at the end,
/// in one order, leaves only waits. Rows of the input being stored stay apart until it is stored, so
/// that an input rolled back takes its rows with it.
final class PendingSourceRollups {
    struct Key: Hashable, Comparable {
        var begin: Int64
        var policyDomain: String
        var sourceIP: String
        var headerFrom: String

        static func < (a: Key, b: Key) -> Bool {
            // Bytewise, as the table's text columns compare (COLLATE "C").
            if a.begin != b.begin { return a.begin < b.begin }
            if a.policyDomain != b.policyDomain {
                return a.policyDomain.utf8.lexicographicallyPrecedes(b.policyDomain.utf8)
            }
            if a.sourceIP != b.sourceIP { return a.sourceIP.utf8.lexicographicallyPrecedes(b.sourceIP.utf8) }
            return a.headerFrom.utf8.lexicographicallyPrecedes(b.headerFrom.utf8)
        }
    }

    private var input: [Key: SIMD4<Int64>] = [:]
    private var batch: [Key: SIMD4<Int64>] = [:]

    func add(begin: Int64, policyDomain: String, _ key: RollupAccumulator.SourceKey, _ counts: SIMD4<Int64>) {
        input[
            Key(begin: begin, policyDomain: policyDomain, sourceIP: key.sourceIP, headerFrom: key.headerFrom),
            default: SIMD4()] &+= counts
    }

    /// The input's rows join the batch's.
    func inputStored() {
        if batch.isEmpty {
            swap(&batch, &input)
        } else {
            for (key, counts) in input { batch[key, default: SIMD4()] &+= counts }
        }
        input.removeAll(keepingCapacity: true)
    }

    /// The input was rolled back: its rows go.
    func inputRolledBack() {
        input.removeAll(keepingCapacity: true)
    }

    /// The batch was rolled back.
    func clear() {
        input.removeAll()
        batch.removeAll()
    }

    /// The statement that adds rows, prepared once per connection.
    private var insert: UnnestInsert?

    /// Adds the batch's rows to the table, in key order, many rows per statement.
    func write(_ connection: PostgresConnection) throws {
        guard !batch.isEmpty else { return }
        let rows = batch.sorted { $0.key < $1.key }
        batch.removeAll()
        let insert =
            try self.insert
            ?? UnnestInsert(
                connection, table: "source_rollup",
                columns: [
                    ("begin_utc", "bigint"), ("policy_domain", "text"), ("source_ip", "text"), ("header_from", "text"),
                    ("messages", "bigint"), ("dmarc_pass", "bigint"), ("dkim_aligned", "bigint"),
                    ("spf_aligned", "bigint"),
                ],
                conflict: RollupStatements.addToSourceRollups)
        self.insert = insert
        var start = 0
        while start < rows.count {
            let slice = rows[start..<min(start + Self.rowsPerStatement, rows.count)]
            try insert.execute(
                slice.map { key, counts in
                    [
                        key.begin.databaseValue, key.policyDomain.databaseValue, key.sourceIP.databaseValue,
                        key.headerFrom.databaseValue, counts[0].databaseValue, counts[1].databaseValue,
                        counts[2].databaseValue, counts[3].databaseValue,
                    ]
                })
            start += slice.count
        }
    }

    static let rowsPerStatement = 5_000
}
