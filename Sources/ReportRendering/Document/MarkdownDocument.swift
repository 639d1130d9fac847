import ReportModel

/// A document as GitHub-flavoured Markdown: headings, lists, pipe tables, charts as a table.
enum MarkdownDocument {
    static func render(_ document: Document) -> String {
        var lines = ["# " + Escaping.markdown(document.title)]
        for block in document.blocks {
            switch block {
            case .heading(let text, let level):
                lines += ["", String(repeating: "#", count: min(6, level)) + " " + Escaping.markdown(text)]
            case .paragraph(let text):
                lines += ["", Escaping.markdown(text)]
            case .bullets(let items):
                lines.append("")
                lines += items.map { "- " + Escaping.markdown($0) }
            case .table(let table):
                lines.append("")
                lines += pipeTable(table.header, table.rows, numeric: table.numeric)
            case .chart(let chart):
                lines += ["", "**" + Escaping.markdown(chart.title) + "**", ""]
                let rows = chart.days.map { day -> [String] in
                    let total = day.pass + day.fail
                    return [
                        day.label, grouped(Int64(saturating: total)), grouped(Int64(saturating: day.pass)),
                        grouped(Int64(saturating: day.fail)), total > 0 ? percent(day.pass / total) : "–",
                    ]
                }
                lines += pipeTable(["day", "messages", "pass", "fail", "pass rate"], rows, numeric: [1, 2, 3, 4])
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    static func pipeTable(_ header: [String], _ rows: [[String]], numeric: Set<Int>) -> [String] {
        let line: ([String]) -> String = { "| " + $0.map(Escaping.markdown).joined(separator: " | ") + " |" }
        let rule = "|" + header.indices.map { numeric.contains($0) ? " ---: |" : " --- |" }.joined()
        return [line(header), rule] + rows.map(line)
    }
}
