import DomainAlignment
import GRDB
import ReportModel

/// Sends a report's records and their DKIM, SPF and override rows to PostgreSQL: by COPY, in PostgreSQL's
/// text format, a statement per table per report (or per ``flushRows`` rows of a large one) instead of
/// one per row; a small report's rows go in one ``UnnestInsert`` instead, which (unlike COPY) joins the
/// import's pipeline and costs no round trip of its own. Record ids come from the importer's own block
/// of 65,536 (``PostgresSchema``), so children get their ids (record id << 16 | position) before
/// anything is sent.
final class PostgresRecordCopier: RecordInserting {
    private let connection: PostgresConnection
    private let check = AlignmentCheck()
    private let memo = DomainMemo()
    private var tables: [Table] = [
        Table(name: "record", columns: recordColumns),
        Table(name: "dkim_result_extra", columns: ["id", "domain", "selector", "result", "human_result"]),
        Table(name: "spf_result_extra", columns: ["id", "domain", "scope", "result", "human_result"]),
        Table(name: "override_reason", columns: ["id", "type", "comment"]),
    ]
    /// The next id and the end of the importer's block of each month (``RecordPartitions``).
    private var blocks: [Int: (next: Int64, end: Int64)] = [:]
    /// The month of the report being written, and its block.
    private var month = 0
    private var block: (next: Int64, end: Int64) = (0, 0)
    /// The last placement asked for and its month (the same for all of a report's records).
    private var placedAt: Int64?
    private var placedMonth = 0
    /// The connection that creates a month's partitions (outside the import's transaction), once needed.
    private var partitionMaker: PostgresConnection?

    /// Rows held before they are sent, in all tables.
    static let flushRows = 20_000
    /// A table's rows go in one INSERT up to this many (a report of 20 records: no round trip of its own),
    /// by COPY beyond.
    static let insertRows = 50

    static let recordColumns = [
        "id", "report_id", "source_ip", "count", "disposition", "dkim", "spf", "envelope_to", "envelope_from",
        "header_from", "extensions", "alignment", "inline_auth", "dkim1_domain", "dkim1_selector", "dkim1_result",
        "dkim1_human_result", "spf1_domain", "spf1_scope", "spf1_result", "spf1_human_result",
    ]

    /// One table's rows waiting to be sent.
    struct Table {
        let name: String
        let columns: [String]
        var rows: [[DatabaseValue]] = []
        /// The statement that sends a few rows, prepared when first needed.
        var insert: UnnestInsert?
    }

    static let integerColumns: Set<String> = ["id", "report_id", "count", "alignment", "inline_auth"]

    init(_ connection: PostgresConnection) {
        self.connection = connection
    }

    func insert(
        _ value: ReportRecord, reportID: Int64, placedAt time: Int64
    ) throws -> (
        id: Int64, facts: AlignmentFacts
    ) {
        if time != placedAt {
            placedAt = time
            placedMonth = RecordPartitions.month(containing: time)
        }
        let month = placedMonth
        if month != self.month {
            if self.month != 0 { blocks[self.month] = block }
            self.month = month
            block = blocks[month] ?? (0, 0)
        }
        if block.next == block.end { block = try newBlock(month) }
        let id = block.next
        block.next += 1
        let facts = check.facts(for: value, memo: memo)
        let dkimResults = value.dkimResults.prefix(ReportRecord.maxResultsPerKind)
        let spfResults = value.spfResults.prefix(ReportRecord.maxResultsPerKind)
        let firstDKIM = dkimResults.first
        let firstSPF = spfResults.first
        tables[0].rows.append([
            id.databaseValue, reportID.databaseValue, value.sourceIP.databaseValue, value.count.databaseValue,
            text(value.disposition?.text), text(value.dkim?.text), text(value.spf?.text), text(value.envelopeTo),
            text(value.envelopeFrom), text(value.headerFrom),
            text(value.extensions.isEmpty ? nil : value.extensions.joined(separator: "\n")),
            facts.rawValue.databaseValue,
            Int64((dkimResults.isEmpty ? 0 : 1) | (spfResults.isEmpty ? 0 : 2)).databaseValue, text(firstDKIM?.domain),
            text(firstDKIM?.selector), text(firstDKIM?.result?.text), text(firstDKIM?.humanResult),
            text(firstSPF?.domain),
            text(firstSPF?.scope?.text), text(firstSPF?.result?.text), text(firstSPF?.humanResult),
        ])
        for seq in dkimResults.indices.dropFirst() {
            let result = dkimResults[seq]
            tables[1].rows.append([
                RecordIDs.child(id, seq).databaseValue, text(result.domain), text(result.selector),
                text(result.result?.text), text(result.humanResult),
            ])
        }
        for seq in spfResults.indices.dropFirst() {
            let result = spfResults[seq]
            tables[2].rows.append([
                RecordIDs.child(id, seq).databaseValue, text(result.domain), text(result.scope?.text),
                text(result.result?.text), text(result.humanResult),
            ])
        }
        for seq in value.reasons.indices.prefix(ReportRecord.maxResultsPerKind) {
            let override = value.reasons[seq]
            tables[3].rows.append([
                RecordIDs.child(id, seq).databaseValue, text(override.type?.text), text(override.comment),
            ])
        }
        if tables.reduce(0, { $0 + $1.rows.count }) >= Self.flushRows { try flush() }
        return (id, facts)
    }

    /// A block of the month's ids, creating the month's partitions first when it has none.
    private func newBlock(_ month: Int) throws -> (next: Int64, end: Int64) {
        var start = try connection.value(
            Int64.self, "SELECT nextval(to_regclass(?))", [RecordPartitions.sequence(month)])
        if start == nil {
            if partitionMaker == nil { partitionMaker = try connection.sibling() }
            let sequence = try RecordPartitions.create(month: month, on: partitionMaker!)
            // By its oid: a name this session looked up in vain stays unknown to it until it takes a new
            // lock, which nextval does.
            start = try connection.value(Int64.self, "SELECT nextval(?::oid::regclass)", [sequence])
        }
        guard let start else {
            throw StoreError(
                "PostgreSQL at \(connection.displayName): no ids for records of \(RecordPartitions.suffix(month))")
        }
        let first = RecordPartitions.recordIDs(month).lower + start
        return (first, first + RecordPartitions.blockSize)
    }

    func flush() throws {
        // Records first: the children refer to them.
        for index in tables.indices where !tables[index].rows.isEmpty {
            let table = tables[index]
            tables[index].rows.removeAll(keepingCapacity: true)
            if table.rows.count <= Self.insertRows {
                let insert =
                    try table.insert
                    ?? UnnestInsert(
                        connection, table: table.name,
                        columns: table.columns.map { ($0, Self.integerColumns.contains($0) ? "bigint" : "text") })
                tables[index].insert = insert
                try insert.execute(table.rows)
            } else {
                var buffer = CopyBuffer()
                for row in table.rows { buffer.row(values: row) }
                try connection.copy(into: table.name, columns: table.columns, data: buffer.take())
            }
        }
    }

    func discard() {
        for index in tables.indices { tables[index].rows.removeAll(keepingCapacity: true) }
    }

    private func text(_ value: String?) -> DatabaseValue {
        value?.databaseValue ?? .null
    }
}

/// Rows in COPY's text format: fields separated by tabs, `\N` for NULL, backslash, tab, newline and
/// carriage return escaped.
struct CopyBuffer {
    private(set) var bytes: [UInt8] = []

    var isEmpty: Bool { bytes.isEmpty }

    mutating func take() -> [UInt8] {
        defer { bytes.removeAll(keepingCapacity: true) }
        return bytes
    }

    mutating func row(_ fields: [(any CopyField)?]) {
        for (index, field) in fields.enumerated() {
            if index > 0 { bytes.append(0x09) }
            if let field { field.append(to: &bytes) } else { bytes.append(contentsOf: [0x5C, 0x4E]) }
        }
        bytes.append(0x0A)
    }
}

protocol CopyField {
    func append(to bytes: inout [UInt8])
}

extension Int64: CopyField {
    func append(to bytes: inout [UInt8]) { bytes.append(contentsOf: String(self).utf8) }
}

extension String: CopyField {
    func append(to bytes: inout [UInt8]) {
        var text = self
        text.withUTF8 { utf8 in
            for byte in utf8 {
                switch byte {
                case 0x5C: bytes.append(contentsOf: [0x5C, 0x5C])
                case 0x09: bytes.append(contentsOf: [0x5C, 0x74])
                case 0x0A: bytes.append(contentsOf: [0x5C, 0x6E])
                case 0x0D: bytes.append(contentsOf: [0x5C, 0x72])
                // NUL cannot be stored in PostgreSQL text; SQLite keeps it. Dropped, as the parsers'
                // normalization would have.
                case 0x00: continue
                default: bytes.append(byte)
                }
            }
        }
    }
}
