import ReportModel

/// A document as plain text that fits 100 columns: what a cron mail shows.
enum TextDocument {
    static let width = 100

    static func render(_ document: Document) -> String {
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
                lines.append(contentsOf: wrap(Escaping.terminal(text), indent: ""))
            case .bullets(let items):
                for item in items {
                    lines.append(contentsOf: wrap(Escaping.terminal(item), indent: "  - ", hanging: "    "))
                }
            case .table(let table):
                lines.append(contentsOf: fitted(table).map { "  " + $0 })
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

    /// A table's lines within the page: text columns are clipped, widest first, until it fits.
    static func fitted(_ table: Document.Table) -> [String] {
        let left = Set(table.header.indices).subtracting(table.numeric)
        var limits = table.header.indices.map { _ in 40 }
        var rows = table.rows.map { $0.map { clip(Escaping.terminal($0), 40) } }
        while true {
            let lines = ReportRendering.table(table.header, rows, leftAligned: left)
            let widest = lines.map(\.count).max() ?? 0
            guard widest > width - 2 else { return lines }
            // Only the cells can be clipped (never the header): a column counts by its widest cell, so
            // every round clips some cell further and the loop ends.
            let widths = table.header.indices.map { column in rows.map { $0[column].count }.max() ?? 0 }
            guard let column = left.sorted().max(by: { widths[$0] < widths[$1] }), widths[column] > 12 else {
                return lines
            }
            limits[column] = max(12, widths[column] - (widest - (width - 2)))
            rows = table.rows.map { row in row.indices.map { clip(Escaping.terminal(row[$0]), limits[$0]) } }
        }
    }

    static func clip(_ text: String, _ limit: Int) -> String {
        text.count <= limit ? text : String(text.prefix(limit - 1)) + "…"
    }

    /// Words wrapped to `width` columns, the first line after `indent`, the rest after `hanging`.
    static func wrap(_ text: String, indent: String, hanging: String? = nil) -> [String] {
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
