import ReportModel

/// The output formats of the listing and summary commands.
public enum OutputFormat: String, Sendable, CaseIterable {
    case text, json, ndjson, csv
}

/// What a report command's output says about itself: the command, when it ran, the period and filters it
/// covers. Every `--format json` output is one document made of these and its rows (``document(rows:extra:)``),
/// and every `--format ndjson` output its rows, one a line (``lines(_:)``): the one contract scripts read.
public struct OutputContext: Sendable {
    public var command: String
    /// Epoch seconds.
    public var generatedAt: Int64
    /// The period's bounds, `nil` for an open end; `nil` altogether for all time.
    public var period: PeriodBounds?
    /// A label for the period in text output: `2025-12-01 – 2025-12-07 (UTC)`, `all time`.
    public var periodLabel: String
    /// The filters given (`domain`, `class`, …), in order; `nil` values were not given.
    public var filters: [Filter]
    /// The columns text output fits its tables to (`Int.max` for `--wide`).
    public var width = TextDocument.defaultWidth
    /// Whether text output is coloured (a terminal that wants it).
    public var colors = false

    public struct PeriodBounds: Sendable {
        public var start: Int64?
        public var end: Int64?
        public var timeZone: String

        public init(start: Int64?, end: Int64?, timeZone: String) {
            self.start = start
            self.end = end
            self.timeZone = timeZone
        }
    }

    public struct Filter: Sendable {
        public var name: String
        public var value: Value

        public enum Value: Sendable {
            case text(String?)
            case number(Int?)
            case flag(Bool)
        }

        public init(_ name: String, _ value: String?) {
            self.name = name
            self.value = .text(value)
        }

        public init(_ name: String, number: Int?) {
            self.name = name
            self.value = .number(number)
        }

        public init(_ name: String, flag: Bool) {
            self.name = name
            self.value = .flag(flag)
        }
    }

    public init(
        command: String, generatedAt: Int64, period: PeriodBounds?, periodLabel: String, filters: [Filter] = []
    ) {
        self.command = command
        self.generatedAt = generatedAt
        self.period = period
        self.periodLabel = periodLabel
        self.filters = filters
    }

    /// The JSON document: the context's keys, then `extra` (sections besides the rows), then the rows.
    func document(rows: [JSONValue], extra: [(String, JSONValue)] = []) -> String {
        documentValue(rows: rows, extra: extra).serialized() + "\n"
    }

    func documentValue(rows: [JSONValue], extra: [(String, JSONValue)] = []) -> JSONValue {
        .object(header + extra + [("rows", .array(rows))])
    }

    /// NDJSON: each row on a line of its own, nothing else.
    static func lines(_ rows: [JSONValue]) -> String {
        rows.map { $0.serialized() + "\n" }.joined()
    }

    /// `command`, `generated_at`, `period` and `filters`: how every JSON document begins.
    var header: [(String, JSONValue)] {
        let periodValue: JSONValue =
            period.map {
                .object([("start", .time($0.start)), ("end", .time($0.end)), ("time_zone", .string($0.timeZone))])
            } ?? .null
        let filterValues: [(String, JSONValue)] = filters.map { filter in
            switch filter.value {
            case .text(let text): (filter.name, .string(text))
            case .number(let number): (filter.name, .int(number))
            case .flag(let flag): (filter.name, .bool(flag))
            }
        }
        return [
            ("command", .string(command)), ("generated_at", .time(generatedAt)), ("period", periodValue),
            ("filters", .object(filterValues)),
        ]
    }
}

/// Thousands separators for counts people read: `1,234,567`.
func grouped(_ value: Int64) -> String { value.grouped }

func grouped(_ value: Int) -> String { grouped(Int64(value)) }

/// `1 report`, `2,345 reports`.
func counted(_ value: Int64, _ noun: String) -> String {
    "\(grouped(value)) \(noun)\(value == 1 ? "" : "s")"
}

func counted(_ value: Int, _ noun: String) -> String { counted(Int64(value), noun) }

/// `96.2%`, or `–` when there is nothing to divide by.
func percent(_ rate: Double?) -> String {
    guard let rate else { return "–" }
    let tenths = (rate * 1000).rounded() / 10
    return String(tenths) + "%"
}

/// A CSV document: header and rows, CRLF line ends, optional UTF-8 byte-order mark for spreadsheets.
func csv(_ header: [String], _ rows: [[String]]) -> String {
    ([header] + rows).map { $0.map(Escaping.csvCell).joined(separator: ",") + "\r\n" }.joined()
}

/// Pads columns of text to line up, the first `leftAligned` columns left-aligned, the rest right.
func table(_ header: [String], _ rows: [[String]], leftAligned: Set<Int>) -> [String] {
    let all = [header] + rows
    let widths = header.indices.map { column in all.map { $0[column].count }.max() ?? 0 }
    return all.map { row in
        row.indices.map { column -> String in
            let cell = row[column]
            let padding = String(repeating: " ", count: widths[column] - cell.count)
            return leftAligned.contains(column) ? cell + padding : padding + cell
        }.joined(separator: "  ").trimmingTrailingSpaces()
    }
}

extension String {
    fileprivate func trimmingTrailingSpaces() -> String {
        var copy = self
        while copy.last == " " { copy.removeLast() }
        return copy
    }
}
