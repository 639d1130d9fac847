import ReportModel

/// A document as one self-contained HTML page: inline CSS, inline SVG charts, no scripts, no external
/// resources, so it reads the same in a mail client and a browser.
enum HTMLDocument {
    static let style = """
        body{font-family:-apple-system,"Segoe UI",Helvetica,Arial,sans-serif;color:#1b1f24;max-width:960px;\
        margin:24px auto;padding:0 16px;line-height:1.45}
        h1{font-size:22px;margin:0 0 8px}h2{font-size:18px;margin:28px 0 8px;border-bottom:1px solid #d0d7de;\
        padding-bottom:4px}h3{font-size:15px;margin:20px 0 6px}
        table{border-collapse:collapse;margin:8px 0;font-size:13px}th,td{border:1px solid #d0d7de;padding:4px 8px;\
        text-align:left;vertical-align:top}th{background:#f6f8fa}td.n,th.n{text-align:right;\
        font-variant-numeric:tabular-nums}
        ul{margin:6px 0;padding-left:22px}svg{display:block;margin:8px 0}.legend{font-size:12px;color:#57606a}
        """

    static func render(_ document: Document) -> String {
        var out = """
            <!DOCTYPE html>
            <html lang="en">
            <head>
            <meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <title>\(Escaping.html(document.title))</title>
            <style>\(style)</style>
            </head>
            <body>
            <h1>\(Escaping.html(document.title))</h1>

            """
        for block in document.blocks {
            switch block {
            case .heading(let text, let level):
                let tag = "h\(min(6, level))"
                out += "<\(tag)>\(Escaping.html(text))</\(tag)>\n"
            case .paragraph(let text):
                out += "<p>\(Escaping.html(text))</p>\n"
            case .bullets(let items):
                out += "<ul>\n" + items.map { "<li>\(Escaping.html($0))</li>\n" }.joined() + "</ul>\n"
            case .table(let table):
                out += tableHTML(table)
            case .chart(let chart):
                out += stackedBars(chart) + rateLine(chart)
            }
        }
        return out + "</body>\n</html>\n"
    }

    static func tableHTML(_ table: Document.Table) -> String {
        func cells(_ row: [String], _ tag: String) -> String {
            row.indices.map { index in
                let numeric = table.numeric.contains(index) ? " class=\"n\"" : ""
                return "<\(tag)\(numeric)>\(Escaping.html(row[index]))</\(tag)>"
            }.joined()
        }
        return "<table>\n<tr>\(cells(table.header, "th"))</tr>\n"
            + table.rows.map { "<tr>\(cells($0, "td"))</tr>\n" }.joined() + "</table>\n"
    }

    private static let chartWidth = 640.0
    private static let chartHeight = 160.0
    private static let left = 56.0
    private static let bottom = 24.0

    private static func number(_ value: Double) -> String {
        String((value * 10).rounded() / 10)
    }

    /// Daily messages as stacked bars: DMARC pass (green) below fail (red).
    static func stackedBars(_ chart: Document.DailyChart) -> String {
        let most = max(1, chart.days.map { $0.pass + $0.fail }.max() ?? 1)
        let plot = chartHeight - bottom - 8
        let slot = (chartWidth - left - 8) / Double(max(1, chart.days.count))
        var svg = svgOpen(label: chart.title + ": messages per day, pass and fail")
        svg += axis(top: grouped(Int64(saturating: most)), plot: plot)
        for (index, day) in chart.days.enumerated() {
            let x = left + Double(index) * slot + slot * 0.15
            let width = slot * 0.7
            let passHeight = day.pass / most * plot
            let failHeight = day.fail / most * plot
            let base = 8 + plot
            svg +=
                "<rect x=\"\(number(x))\" y=\"\(number(base - passHeight))\" width=\"\(number(width))\" "
                + "height=\"\(number(passHeight))\" fill=\"#2da44e\"><title>\(Escaping.html(day.label)): "
                + "\(grouped(Int64(saturating: day.pass))) pass</title></rect>\n"
            svg +=
                "<rect x=\"\(number(x))\" y=\"\(number(base - passHeight - failHeight))\" width=\"\(number(width))\" "
                + "height=\"\(number(failHeight))\" fill=\"#cf222e\"><title>\(Escaping.html(day.label)): "
                + "\(grouped(Int64(saturating: day.fail))) fail</title></rect>\n"
            svg += dayLabel(day.label, x: x + width / 2, index: index, count: chart.days.count)
        }
        return svg + "</svg>\n<p class=\"legend\">Messages per day: green DMARC pass, red fail.</p>\n"
    }

    /// The daily DMARC pass rate as a line from 0 to 100%.
    static func rateLine(_ chart: Document.DailyChart) -> String {
        let plot = chartHeight - bottom - 8
        let slot = (chartWidth - left - 8) / Double(max(1, chart.days.count))
        var svg = svgOpen(label: chart.title + ": DMARC pass rate per day")
        svg += axis(top: "100%", plot: plot)
        var points: [String] = []
        for (index, day) in chart.days.enumerated() {
            let x = left + Double(index) * slot + slot / 2
            svg += dayLabel(day.label, x: x, index: index, count: chart.days.count)
            let total = day.pass + day.fail
            guard total > 0 else { continue }
            let y = 8 + plot - day.pass / total * plot
            points.append("\(number(x)),\(number(y))")
            svg +=
                "<circle cx=\"\(number(x))\" cy=\"\(number(y))\" r=\"3\" fill=\"#0969da\"><title>"
                + "\(Escaping.html(day.label)): \(percent(day.pass / total))</title></circle>\n"
        }
        if points.count > 1 {
            svg +=
                "<polyline points=\"\(points.joined(separator: " "))\" fill=\"none\" stroke=\"#0969da\" stroke-width=\"2\"/>\n"
        }
        return svg + "</svg>\n<p class=\"legend\">DMARC pass rate per day.</p>\n"
    }

    private static func svgOpen(label: String) -> String {
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(Int(chartWidth))\" height=\"\(Int(chartHeight))\" "
            + "viewBox=\"0 0 \(Int(chartWidth)) \(Int(chartHeight))\" role=\"img\" aria-label=\"\(Escaping.html(label))\" "
            + "font-family=\"Helvetica,Arial,sans-serif\" font-size=\"10\">\n"
    }

    private static func axis(top: String, plot: Double) -> String {
        "<line x1=\"\(Int(left))\" y1=\"8\" x2=\"\(Int(left))\" y2=\"\(number(8 + plot))\" stroke=\"#8c959f\"/>\n"
            + "<line x1=\"\(Int(left))\" y1=\"\(number(8 + plot))\" x2=\"\(Int(chartWidth - 8))\" y2=\"\(number(8 + plot))\" stroke=\"#8c959f\"/>\n"
            + "<text x=\"\(Int(left - 4))\" y=\"14\" text-anchor=\"end\">\(Escaping.html(top))</text>\n"
            + "<text x=\"\(Int(left - 4))\" y=\"\(number(8 + plot))\" text-anchor=\"end\">0</text>\n"
    }

    /// Day labels under the axis, thinned so at most about 15 show.
    private static func dayLabel(_ label: String, x: Double, index: Int, count: Int) -> String {
        let step = max(1, (count + 14) / 15)
        guard index % step == 0 else { return "" }
        let short = label.count == 10 ? String(label.suffix(5)) : label
        return
            "<text x=\"\(number(x))\" y=\"\(Int(chartHeight - 8))\" text-anchor=\"middle\">\(Escaping.html(short))</text>\n"
    }
}
