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
    private let sink: (String) throws -> Void
    private var buffer = ""
    private var rows = 0

    public init(format: ExportFormat, columns: [String], excel: Bool = false, sink: @escaping (String) throws -> Void) {
        self.format = format
        self.columns = columns
        self.sink = sink
        switch format {
        case .csv: buffer = (excel ? "\u{FEFF}" : "") + columns.map(Escaping.csvCell).joined(separator: ",") + "\r\n"
        case .json: buffer = "["
        case .ndjson: break
        }
    }

    public func write(_ values: [ExportValue]) throws {
        switch format {
        case .csv:
            buffer += values.map { Escaping.csvCell(Self.text($0)) }.joined(separator: ",") + "\r\n"
        case .json:
            buffer += (rows == 0 ? "\n" : ",\n") + object(values).serialized()
        case .ndjson:
            buffer += object(values).serialized() + "\n"
        }
        rows += 1
        if buffer.utf8.count >= 1 << 16 { try flush() }
    }

    /// Ends the document and hands over what is left. Returns the number of rows written.
    @discardableResult
    public func finish() throws -> Int {
        if format == .json { buffer += rows == 0 ? "]\n" : "\n]\n" }
        try flush()
        return rows
    }

    private func flush() throws {
        guard !buffer.isEmpty else { return }
        try sink(buffer)
        buffer = ""
    }

    private func object(_ values: [ExportValue]) -> JSONValue {
        .object(
            zip(columns, values).map { column, value in
                switch value {
                case .text(let text): (column, .string(text))
                case .integer(let number): (column, .int(number))
                case .boolean(let flag): (column, flag.map { .bool($0) } ?? .null)
                case .decimal(let number): (column, number.map { .double($0) } ?? .null)
                case .time(let epoch): (column, .time(epoch))
                }
            })
    }

    static func text(_ value: ExportValue) -> String {
        switch value {
        case .text(let text): text ?? ""
        case .integer(let number): number.map { String($0) } ?? ""
        case .boolean(let flag): flag.map { $0 ? "true" : "false" } ?? ""
        case .decimal(let number): number.map { String($0) } ?? ""
        case .time(let epoch): epoch.map(TimeFormat.iso8601) ?? ""
        }
    }
}
