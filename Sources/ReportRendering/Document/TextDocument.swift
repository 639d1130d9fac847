import ReportModel

/// A document as plain text that fits the terminal (or 80 columns: what a cron mail shows).
public enum TextDocument {
    public static let defaultWidth = 80

    static func render(_ document: Document, width: Int) -> String {
        var lines = [
            Escaping.terminal(document.title), String(repeating: "=", count: min(width, document.title.count)),
        ]
        for block in document.blocks {
            switch block {
            case .heading(let text, let level):
                lines.append("")
                lines.append(Escaping.terminal(text))
                if level <= 2 { lines.append(String(repeating: "-", count: min(width, text.count))) }
            case .paragraph(let text):
                lines.append(contentsOf: wrap(Escaping.terminal(text), indent: "", width: width))
            case .bullets(let items):
                for item in items {
                    lines.append(
                        contentsOf: wrap(Escaping.terminal(item), indent: "  - ", hanging: "    ", width: width))
                }
            case .table(let table):
                lines.append(contentsOf: fitted(table, width: width - 2).map { "  " + $0 })
            case .chart(let chart):
                lines.append(contentsOf: bars(chart))
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// One line per day: a bar of `#` (pass) and `x` (fail) scaled to the busiest day, count and rate.
    static func bars(_ chart: Document.DailyChart) -> [String] {
        let barWidth = 50
        let most = chart.days.map { $0.pass + $0.fail }.max() ?? 0
        var lines = ["  " + Escaping.terminal(chart.title) + "  (# pass, x fail)"]
        for day in chart.days {
            let total = day.pass + day.fail
            let length = most > 0 ? Int((total / most * Double(barWidth)).rounded()) : 0
            let failLength = total > 0 ? min(length, Int((day.fail / total * Double(length)).rounded(.up))) : 0
            let bar = String(repeating: "#", count: length - failLength) + String(repeating: "x", count: failLength)
            let padded = bar + String(repeating: " ", count: barWidth - bar.count)
            let rate = total > 0 ? percent(day.pass / total) : "–"
            let count = grouped(Int64(saturating: total))
            lines.append(
                "  \(day.label)  \(padded) \(String(repeating: " ", count: max(0, 10 - count.count)))\(count)  \(rate)")
        }
        return lines
    }

    /// Columns whose values a reader copies (an address, a domain, a report id): never cut.
    static let copyable: Set<String> = [
        "source", "domain", "report id", "sender", "header_from", "ptr", "mx host", "sending ip",
        "dkim domain", "policy domain",
    ]

    /// A table's lines within `width` columns: first other text columns are clipped (with `…`), widest
    /// first, down to 12 characters; then columns are left out from the right, never the first two or a
    /// column of values to copy, with a line naming them; what still does not fit runs over.
    public static func fitted(_ table: Document.Table, width: Int) -> [String] {
        var header = table.header
        var cells = table.rows.map { $0.map(Escaping.terminal) }
        var numeric = table.numeric
        var limits = header.map { _ in Int.max }
        var dropped: [String] = []
        while true {
            let rows = cells.map { row in row.indices.map { clip(row[$0], limits[$0]) } }
            let lines = ReportRendering.table(header, rows, leftAligned: Set(header.indices).subtracting(numeric))
            let widest = lines.map(\.count).max() ?? 0
            let fits = widest <= width
            // Only cells are clipped (never the header): a column counts by its widest cell, so every round
            // clips some cell further, or leaves a column out, and the loop ends.
            let widths = header.indices.map { column in rows.map { $0[column].count }.max() ?? 0 }
            let clippable = header.indices.filter {
                !numeric.contains($0) && !copyable.contains(header[$0].lowercased())
            }
            if !fits, let column = clippable.max(by: { widths[$0] < widths[$1] }), widths[column] > 12 {
                limits[column] = max(12, widths[column] - (widest - width))
                continue
            }
            let droppable = header.indices.reversed().first { $0 >= 2 && !copyable.contains(header[$0].lowercased()) }
            guard !fits, let column = droppable else {
                let note = "(left out to fit the width: \(dropped.joined(separator: ", ")); --wide shows them)"
                return lines + (dropped.isEmpty ? [] : [note])
            }
            dropped.insert(header[column], at: 0)
            header = remove(column, from: header)
            cells = cells.map { remove(column, from: $0) }
            limits = remove(column, from: limits)
            numeric = Set(numeric.compactMap { $0 < column ? $0 : $0 > column ? $0 - 1 : nil })
        }
    }

    private static func remove<T>(_ index: Int, from array: [T]) -> [T] {
        var copy = array
        copy.remove(at: index)
        return copy
    }

    static func clip(_ text: String, _ limit: Int) -> String {
        text.count <= limit ? text : String(text.prefix(max(1, limit - 1))) + "…"
    }

    /// Words wrapped to `width` columns, the first line after `indent`, the rest after `hanging`.
    static func wrap(_ text: String, indent: String, hanging: String? = nil, width: Int) -> [String] {
        var lines: [String] = []
        var line = indent
        let continuation = hanging ?? indent
        for word in text.split(separator: " ", omittingEmptySubsequences: false) {
            let start = line == indent || line == continuation
            if !start && line.count + 1 + word.count > width {
                lines.append(line)
                line = continuation
            }
            line += (line == indent || line == continuation ? "" : " ") + word
        }
        lines.append(line)
        return lines
    }
}
