import ReportModel

/// The formats of `rua export`.
public enum ExportFormat: String, Sendable, CaseIterable {
    case csv, json, ndjson
}

/// Writes export rows as they come, in buffered pieces handed to `sink`: memory stays flat for any
/// number of rows. CSV per RFC 4180 (CRLF, quoting, formula neutralization), optionally with a UTF-8
/// byte-order mark for spreadsheet programs; JSON as one array of objects; NDJSON as one object a line.
public final class ExportWriter {
    private let format: ExportFormat
    private let columns: [String]
    private let sink: ([UInt8]) throws -> Void
    private var buffer: [UInt8] = []
    private var rows = 0

    /// - Parameter context: what the JSON document says about itself before its rows.
    public init(
        format: ExportFormat, columns: [String], excel: Bool = false, context: OutputContext,
        sink: @escaping ([UInt8]) throws -> Void
    ) {
        self.format = format
        self.columns = columns
        self.sink = sink
        buffer.reserveCapacity(1 << 17)
        switch format {
        case .csv: append((excel ? "\u{FEFF}" : "") + columns.map(Escaping.csvCell).joined(separator: ",") + "\r\n")
        case .json:
            // The document's header, then its rows as they come: `{"command":…,"rows":[`.
            var head = JSONValue.object(context.header).serialized()
            head.removeLast()
            append(head + #","rows":["#)
        case .ndjson: break
        }
    }

    private func append(_ text: String) {
        buffer.append(contentsOf: text.utf8)
    }

    public func write(_ values: [ExportValue]) throws {
        switch format {
        case .csv:
            for (index, value) in values.enumerated() {
                if index > 0 { buffer.append(0x2C) }
                switch value {
                case .integer(let number): if let number { appendDigits(number) }
                case .boolean(let flag): if let flag { append(flag ? "true" : "false") }
                case .time(let epoch): if let epoch { append(time(epoch)) }
                case .text(let text): if let text { Escaping.appendCSVCell(text, to: &buffer) }
                case .decimal, .list, .objects: Escaping.appendCSVCell(text(value), to: &buffer)
                }
            }
            buffer.append(0x0D)
            buffer.append(0x0A)
        case .json:
            append(rows == 0 ? "\n" : ",\n")
            appendObject(values)
        case .ndjson:
            appendObject(values)
            buffer.append(0x0A)
        }
        rows += 1
        if buffer.count >= 1 << 16 { try flush() }
    }

    /// Ends the document and hands over what is left. Returns the number of rows written.
    @discardableResult
    public func finish() throws -> Int {
        if format == .json { append(rows == 0 ? "]}\n" : "\n]}\n") }
        try flush()
        return rows
    }

    private func flush() throws {
        guard !buffer.isEmpty else { return }
        try sink(buffer)
        buffer.removeAll(keepingCapacity: true)
    }

    /// Appends one row as a JSON object, written straight into the buffer.
    private func appendObject(_ values: [ExportValue]) {
        var out = "{"
        for (index, (column, value)) in zip(columns, values).enumerated() {
            if index > 0 { out += "," }
            Escaping.appendJSONString(column, to: &out)
            out += ":"
            switch value {
            case .text(let text):
                if let text { Escaping.appendJSONString(text, to: &out) } else { out += "null" }
            case .integer(let number): out += number.map { String($0) } ?? "null"
            case .boolean(let flag): out += flag.map { $0 ? "true" : "false" } ?? "null"
            case .decimal(let number): out += number.map { $0.isFinite ? String($0) : "null" } ?? "null"
            case .time(let epoch):
                if let epoch { Escaping.appendJSONString(time(epoch), to: &out) } else { out += "null" }
            case .list(let values):
                out += "["
                for (index, value) in values.enumerated() {
                    if index > 0 { out += "," }
                    Escaping.appendJSONString(value, to: &out)
                }
                out += "]"
            case .objects(let keys, let fields):
                out += "["
                for (index, field) in fields.enumerated() {
                    let position = index % keys.count
                    if position == 0 { out += index == 0 ? "{" : "},{" } else { out += "," }
                    Escaping.appendJSONString(keys[position], to: &out)
                    out += ":"
                    if let field { Escaping.appendJSONString(field, to: &out) } else { out += "null" }
                }
                out += fields.isEmpty ? "]" : "}]"
            }
        }
        out += "}"
        append(out)
    }

    private var recentTimes: [(Int64, String)] = []

    /// ISO-8601 UTC (in CSV without the zone letter, so spreadsheets read a date), remembering the last
    /// few: the rows of one report share their range.
    private func time(_ epoch: Int64) -> String {
        for (known, text) in recentTimes where known == epoch { return text }
        let text = format == .csv ? TimeFormat.csv(epoch) : TimeFormat.iso8601(epoch)
        if recentTimes.count >= 4 { recentTimes.removeFirst() }
        recentTimes.append((epoch, text))
        return text
    }

    /// A decimal integer straight into the buffer.
    private func appendDigits(_ number: Int64) {
        if number < 0 { buffer.append(0x2D) }
        var magnitude = number.magnitude
        var digits:
            (
                UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8,
                UInt8, UInt8, UInt8, UInt8, UInt8, UInt8
            ) = (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        var count = 0
        withUnsafeMutableBytes(of: &digits) { raw in
            repeat {
                raw[count] = UInt8(truncatingIfNeeded: magnitude % 10) + 0x30
                magnitude /= 10
                count += 1
            } while magnitude > 0
            for index in stride(from: count - 1, through: 0, by: -1) { buffer.append(raw[index]) }
        }
    }

    private func text(_ value: ExportValue) -> String {
        switch value {
        case .text(let text): text ?? ""
        case .integer(let number): number.map { String($0) } ?? ""
        case .boolean(let flag): flag.map { $0 ? "true" : "false" } ?? ""
        case .decimal(let number): number.map { String($0) } ?? ""
        case .time(let epoch): epoch.map(time) ?? ""
        case .list(let values): values.joined(separator: ";")
        case .objects(let keys, let fields):
            fields.indices.reduce(into: "") { out, index in
                if index > 0 { out += index % keys.count == 0 ? ";" : ":" }
                out += fields[index] ?? ""
            }
        }
    }
}
