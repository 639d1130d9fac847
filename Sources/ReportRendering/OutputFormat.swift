import ReportModel

/// The output formats of the listing and summary commands.
public enum OutputFormat: String, Sendable, CaseIterable {
    case text, json, csv
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
