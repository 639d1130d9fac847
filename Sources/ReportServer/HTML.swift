import Foundation
import ReportModel
import ReportRendering

/// Builds the dashboard's HTML: every string from a report goes through ``text(_:)`` or ``attribute(_:)``
/// (report data is written by strangers: org names, report ids, domains), the layout is one style sheet
/// served from `/static/rua.css` (so the Content-Security-Policy allows no inline style or script), and
/// charts are inline SVG drawn from numbers only.
struct HTML {
    private(set) var output = ""

    /// Escaped text.
    static func text(_ value: String) -> String { Escaping.html(value) }

    /// An attribute value, escaped (quotes included), for double-quoted attributes.
    static func attribute(_ value: String) -> String { Escaping.html(value) }

    /// A query-string component.
    static func query(_ value: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return value.addingPercentEncoding(withAllowedCharacters: allowed) ?? ""
    }

    /// A path segment (a domain, an address).
    static func segment(_ value: String) -> String { query(value) }

    mutating func raw(_ html: String) { output += html }
    mutating func line(_ html: String) { output += html + "\n" }

    /// A link: `href` must be a path built by Rua, `label` is escaped.
    static func link(_ href: String, _ label: String) -> String {
        "<a href=\"\(attribute(href))\">\(text(label))</a>"
    }

    /// A table: `rows` are already HTML cells' contents; `numeric` columns align right.
    mutating func table(_ headers: [String], _ rows: [[String]], numeric: Set<Int> = [], caption: String? = nil) {
        // Many columns scroll sideways inside their box on a narrow screen rather than squeeze letters apart.
        line("<div class=\"scroll\"><table\(headers.count > 4 ? " class=\"wide\"" : "")>")
        if let caption { line("<caption>\(Self.text(caption))</caption>") }
        line(
            "<thead><tr>"
                + headers.enumerated().map {
                    "<th\(numeric.contains($0.offset) ? " class=\"n\"" : "")>\(Self.text($0.element))</th>"
                }.joined() + "</tr></thead><tbody>")
        for row in rows {
            line(
                "<tr>"
                    + row.enumerated().map {
                        "<td\(numeric.contains($0.offset) ? " class=\"n\"" : "")>\($0.element)</td>"
                    }
                    .joined() + "</tr>")
        }
        if rows.isEmpty {
            line("<tr><td colspan=\"\(headers.count)\" class=\"empty\">nothing in this period</td></tr>")
        }
        line("</tbody></table></div>")
    }

    /// A whole page: the title, the navigation, `body`, and links to the same data as JSON and CSV.
    static func page(title: String, body: String, json: String? = nil, csv: String? = nil) -> String {
        var links: [String] = []
        if let json { links.append(link(json, "JSON")) }
        if let csv { links.append(link(csv, "CSV")) }
        return """
            <!DOCTYPE html>
            <html lang="en">
            <head>
            <meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <meta name="color-scheme" content="light dark">
            <title>\(text(title)) · Rua</title>
            <link rel="stylesheet" href="/static/rua.css">
            </head>
            <body>
            <header><nav><a href="/" class="brand">Rua</a> <a href="/">Domains</a> <a href="/reports">Reports</a> <a href="/quarantine">Quarantine</a></nav></header>
            <main>
            <h1>\(text(title))</h1>
            \(body)
            </main>
            <footer>\(links.isEmpty ? "" : "This page as " + links.joined(separator: " · "))</footer>
            </body>
            </html>

            """
    }

    /// `99.2%`.
    static func percent(_ part: Double, of whole: Double) -> String {
        guard whole > 0 else { return "–" }
        return String(format: "%.1f%%", part / whole * 100)
    }

    /// `12,345`.
    static func count(_ value: Double) -> String { Int64(value.rounded()).grouped }

    /// A small line of a series of rates (0…1, nil for a day without mail), for a table cell.
    static func sparkline(_ rates: [Double?]) -> String {
        let width = 100.0
        let height = 20.0
        let step = rates.count > 1 ? width / Double(rates.count - 1) : 0
        var points: [String] = []
        for (index, rate) in rates.enumerated() {
            guard let rate else { continue }
            points.append(String(format: "%.1f,%.1f", Double(index) * step, height - rate * height))
        }
        return """
            <svg class="spark" viewBox="0 0 \(Int(width)) \(Int(height))" width="100" height="20" role="img" aria-label="daily DMARC pass rate"><polyline points="\(points.joined(separator: " "))"/></svg>
            """
    }

    /// Daily bars: messages (height) and the share passing DMARC (the darker part).
    static func dailyChart(_ days: [Digest.Day]) -> String {
        let most = max(1, days.map(\.messages).max() ?? 1)
        let barWidth = 100.0 / Double(max(days.count, 1))
        var bars = ""
        for (index, day) in days.enumerated() {
            let x = Double(index) * barWidth
            let total = day.messages / most * 100
            let passing = day.dmarcPass / most * 100
            bars += String(
                format:
                    "<rect class=\"fail\" x=\"%.2f\" y=\"%.2f\" width=\"%.2f\" height=\"%.2f\"><title>%@</title></rect>",
                x, 100 - total, barWidth * 0.8, total,
                text("\(day.label): \(count(day.messages)) messages, \(percent(day.dmarcPass, of: day.messages)) pass"))
            bars += String(
                format: "<rect class=\"pass\" x=\"%.2f\" y=\"%.2f\" width=\"%.2f\" height=\"%.2f\"/>", x,
                100 - passing, barWidth * 0.8, passing)
        }
        return """
            <svg class="chart" viewBox="0 0 100 100" preserveAspectRatio="none" role="img" aria-label="messages per day, the part passing DMARC darker">\(bars)</svg>
            """
    }

    /// The style sheet: light and dark, readable at 400 px (tables scroll inside their box).
    static let styleSheet = """
        :root { color-scheme: light dark; --fg: #1b1f24; --bg: #ffffff; --muted: #5b6470; --line: #d8dde3;
          --accent: #0b5cad; --pass: #2f7d32; --fail: #d9a3a3; --warn: #9a6700; --crit: #b3261e; }
        @media (prefers-color-scheme: dark) {
          :root { --fg: #e6e9ed; --bg: #14171b; --muted: #a0a8b3; --line: #333a42; --accent: #7ab7ff;
            --pass: #6cc070; --fail: #7a3b3b; --warn: #e3b341; --crit: #ff8a80; } }
        * { box-sizing: border-box; }
        body { margin: 0; font: 15px/1.45 system-ui, sans-serif; color: var(--fg); background: var(--bg); }
        header { border-bottom: 1px solid var(--line); padding: .5rem 1rem; }
        nav a { margin-right: 1rem; color: var(--accent); text-decoration: none; }
        nav .brand { font-weight: 700; }
        main { padding: 1rem; max-width: 80rem; margin: 0 auto; }
        footer { padding: 1rem; color: var(--muted); border-top: 1px solid var(--line); }
        a { color: var(--accent); }
        h1 { font-size: 1.4rem; overflow-wrap: anywhere; }
        h2 { font-size: 1.15rem; margin-top: 2rem; }
        .scroll { overflow-x: auto; max-width: 100%; }
        table { border-collapse: collapse; width: 100%; }
        table.wide { min-width: 44rem; }
        td:first-child { min-width: 8rem; }
        th, td { text-align: left; padding: .3rem .5rem; border-bottom: 1px solid var(--line); vertical-align: top;
          overflow-wrap: anywhere; }
        th { color: var(--muted); font-weight: 600; }
        .n { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; overflow-wrap: normal; }
        .empty { color: var(--muted); }
        .spark { stroke: var(--accent); fill: none; stroke-width: 1.5; vertical-align: middle; }
        .chart { width: 100%; height: 10rem; border-bottom: 1px solid var(--line); }
        .chart .pass { fill: var(--pass); } .chart .fail { fill: var(--fail); }
        .critical { color: var(--crit); } .warning { color: var(--warn); }
        .muted { color: var(--muted); }
        form.period { display: flex; flex-wrap: wrap; gap: .5rem; align-items: end; margin: .5rem 0 1rem; }
        form.period label { display: flex; flex-direction: column; font-size: .85rem; color: var(--muted); }
        input, select, button { font: inherit; }
        ul.advice { padding-left: 1.2rem; } ul.advice li { margin: .3rem 0; overflow-wrap: anywhere; }
        dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: .2rem 1rem; }
        dl.facts dt { color: var(--muted); } dl.facts dd { margin: 0; overflow-wrap: anywhere; }

        """
}
