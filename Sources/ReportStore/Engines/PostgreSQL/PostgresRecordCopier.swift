import DomainAlignment
import ReportModel

/// Sends a report's records and their DKIM, SPF and override rows to PostgreSQL by COPY, in PostgreSQL's
/// text format: a statement per table per report (or per few megabytes of a large one) instead of one
/// per row. Record ids come from the importer's own block of 65,536 (``PostgresSchema``), so children
/// get their ids (record id << 16 | position) before anything is sent.
final class PostgresRecordCopier: RecordInserting {
    private let connection: PostgresConnection
    private let check = AlignmentCheck()
    private let memo = DomainMemo()
    private var records = CopyBuffer()
    private var dkim = CopyBuffer()
    private var spf = CopyBuffer()
    private var reasons = CopyBuffer()
    /// The next id of the importer's block and the end of the block.
    private var nextID: Int64 = 0
    private var blockEnd: Int64 = 0

    /// Buffers past this many bytes are sent before the report ends.
    static let flushBytes = 4 << 20

    static let recordColumns = [
        "id", "report_id", "source_ip", "count", "disposition", "dkim", "spf", "envelope_to", "envelope_from",
        "header_from", "extensions", "alignment", "inline_auth", "dkim1_domain", "dkim1_selector", "dkim1_result",
        "dkim1_human_result", "spf1_domain", "spf1_scope", "spf1_result", "spf1_human_result",
    ]

    init(_ connection: PostgresConnection) {
        self.connection = connection
    }

    func insert(_ value: ReportRecord, reportID: Int64) throws -> (id: Int64, facts: AlignmentFacts) {
        if nextID == blockEnd {
            guard let block = try connection.value(Int64.self, "SELECT nextval('record_id_block')") else {
                throw StoreError("PostgreSQL gave no record ids")
            }
            (nextID, blockEnd) = (block, block + 65_536)
        }
        let id = nextID
        nextID += 1
        let facts = check.facts(for: value, memo: memo)
        let dkimResults = value.dkimResults.prefix(ReportRecord.maxResultsPerKind)
        let spfResults = value.spfResults.prefix(ReportRecord.maxResultsPerKind)
        let firstDKIM = dkimResults.first
        let firstSPF = spfResults.first
        records.row(
            id, reportID, value.sourceIP, value.count, value.disposition?.text, value.dkim?.text, value.spf?.text,
            value.envelopeTo, value.envelopeFrom, value.headerFrom,
            value.extensions.isEmpty ? nil : value.extensions.joined(separator: "\n"), facts.rawValue,
            Int64((dkimResults.isEmpty ? 0 : 1) | (spfResults.isEmpty ? 0 : 2)), firstDKIM?.domain,
            firstDKIM?.selector, firstDKIM?.result?.text, firstDKIM?.humanResult, firstSPF?.domain,
            firstSPF?.scope?.text, firstSPF?.result?.text, firstSPF?.humanResult)
        for seq in dkimResults.indices.dropFirst() {
            let result = dkimResults[seq]
            dkim.row(
                RecordIDs.child(id, seq), result.domain, result.selector, result.result?.text, result.humanResult)
        }
        for seq in spfResults.indices.dropFirst() {
            let result = spfResults[seq]
            spf.row(
                RecordIDs.child(id, seq), result.domain, result.scope?.text, result.result?.text, result.humanResult)
        }
        for seq in value.reasons.indices.prefix(ReportRecord.maxResultsPerKind) {
            let override = value.reasons[seq]
            reasons.row(RecordIDs.child(id, seq), override.type?.text, override.comment)
        }
        if records.bytes.count + dkim.bytes.count + spf.bytes.count + reasons.bytes.count > Self.flushBytes {
            try flush()
        }
        return (id, facts)
    }

    func flush() throws {
        // Records first: the children refer to them.
        if !records.isEmpty { try connection.copy(into: "record", columns: Self.recordColumns, data: records.take()) }
        if !dkim.isEmpty {
            try connection.copy(
                into: "dkim_result_extra", columns: ["id", "domain", "selector", "result", "human_result"],
                data: dkim.take())
        }
        if !spf.isEmpty {
            try connection.copy(
                into: "spf_result_extra", columns: ["id", "domain", "scope", "result", "human_result"], data: spf.take()
            )
        }
        if !reasons.isEmpty {
            try connection.copy(into: "override_reason", columns: ["id", "type", "comment"], data: reasons.take())
        }
    }

    func discard() {
        _ = records.take()
        _ = dkim.take()
        _ = spf.take()
        _ = reasons.take()
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

    mutating func row(_ fields: (any CopyField)?...) {
        row(fields)
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
