import ReportModel

/// A document as one self-contained HTML page that survives mail clients: table layout, every style
/// inline (Outlook's Word engine and Gmail's apps ignore or strip most of a `<style>` block), charts as
/// table cells with percentage widths (Gmail and Outlook show no SVG and no `data:` images), no scripts,
/// no external resources. The `<style>` block only adds what clients that honour it can use: dark mode
/// and a tighter table under 480 px.
enum HTMLDocument {
    static let font = "-apple-system,'Segoe UI',Helvetica,Arial,sans-serif"
    static let text = "#1b1f24"
    static let muted = "#57606a"
    static let line = "#d0d7de"
    static let pass = "#2da44e"
    static let fail = "#cf222e"

    /// Dark mode (Apple Mail, iOS, Outlook.com, browsers) overrides the inline colours by class; clients
    /// that force their own dark mode invert the light colours, which are chosen to stay readable.
    static let style = """
        @media (prefers-color-scheme:dark){.rb{background:#0d1117!important;color:#e6edf3!important}\
        .rh{background:#161b22!important;color:#e6edf3!important}\
        .rm{color:#9da7b3!important}}
        @media (max-width:480px){.rt{font-size:11px!important}.rt td,.rt th{padding:3px 4px!important}\
        .rw{padding:8px 6px!important}\
        .rn{display:none!important}}
        """

    static func render(_ document: Document) -> String {
        var out = """
            <!DOCTYPE html>
            <html lang="en">
            <head>
            <meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <meta name="color-scheme" content="light dark">
            <meta name="supported-color-schemes" content="light dark">
            <title>\(Escaping.html(document.title))</title>
            <style>\(style)</style>
            </head>
            <body class="rb" style="margin:0;padding:0;background:#ffffff;color:\(text)">
            <table role="presentation" class="rb" width="100%" cellpadding="0" cellspacing="0" border="0" \
            style="background:#ffffff;color:\(text)"><tr><td class="rw" align="center" style="padding:16px 12px">
            <table role="presentation" width="100%" cellpadding="0" cellspacing="0" border="0" \
            style="max-width:960px"><tr><td style="font-family:\(font);font-size:14px;line-height:1.45;\
            color:inherit;text-align:left">
            <h1 style="font-size:22px;line-height:1.25;margin:0 0 8px">\(Escaping.html(document.title))</h1>

            """
        for block in document.blocks {
            switch block {
            case .heading(let title, let level):
                out += heading(title, level: level)
            case .paragraph(let paragraph):
                out += "<p style=\"margin:6px 0\">\(Escaping.html(paragraph))</p>\n"
            case .bullets(let items):
                out +=
                    "<ul style=\"margin:6px 0;padding-left:20px\">\n"
                    + items.map { "<li style=\"margin:2px 0\">\(Escaping.html($0))</li>\n" }.joined() + "</ul>\n"
            case .table(let table):
                out += tableHTML(table)
            case .chart(let chart):
                out += bars(chart)
            }
        }
        return out + "</td></tr></table>\n</td></tr></table>\n</body>\n</html>\n"
    }

    static func heading(_ title: String, level: Int) -> String {
        switch level {
        case ...2:
            "<h2 style=\"font-size:18px;line-height:1.3;margin:24px 0 8px;padding-bottom:4px;"
                + "border-bottom:1px solid \(line)\">\(Escaping.html(title))</h2>\n"
        default:
            "<h\(min(6, level)) style=\"font-size:15px;line-height:1.3;margin:18px 0 6px\">"
                + "\(Escaping.html(title))</h\(min(6, level))>\n"
        }
    }

    static func tableOpen(width: String = "max-width:100%") -> String {
        "<table class=\"rt\" cellpadding=\"0\" cellspacing=\"0\" border=\"0\" style=\"border-collapse:collapse;"
            + "margin:8px 0;font-size:13px;\(width)\">\n"
    }
    /// Cells carry only what every client needs inline; alignment goes in attributes, which are shorter
    /// and which Outlook honours: a 500-domain digest stays under Gmail's clipping size.
    static let cellStyle = "style=\"border:1px solid \(line);padding:4px 6px\""
    /// Text cells (domains, host names, IPv6 addresses) may break anywhere rather than widen the page at
    /// 400 px; number cells keep their words whole, so the narrow table gives its room to the text.
    static let textCellStyle = "style=\"border:1px solid \(line);padding:4px 6px;overflow-wrap:anywhere\""
    static let headerStyle = "style=\"border:1px solid \(line);padding:4px 6px;background:#f6f8fa\""

    static let headerCell = "class=\"rh\" " + headerStyle

    static func tableHTML(_ table: Document.Table) -> String {
        func cells(_ row: [String], header: Bool) -> String {
            row.indices.map { index in
                let align = table.numeric.contains(index) ? "right" : "left"
                let narrow = table.secondary.contains(index) ? " class=\"rn\"" : ""
                return header
                    ? "<th class=\"rh\(narrow.isEmpty ? "" : " rn")\" \(headerStyle) align=\"\(align)\" valign=\"bottom\">\(Escaping.html(row[index]))</th>"
                    : align == "right"
                        ? "<td \(cellStyle)\(narrow) align=\"right\">\(Escaping.html(row[index]))</td>"
                        : "<td \(textCellStyle)\(narrow)>\(Escaping.html(row[index]))</td>"
            }.joined()
        }
        return tableOpen() + "<tr>\(cells(table.header, header: true))</tr>\n"
            + table.rows.map { "<tr valign=\"top\">\(cells($0, header: false))</tr>\n" }.joined() + "</table>\n"
    }

    /// A percentage with one decimal, for widths.
    private static func width(_ fraction: Double) -> String {
        String((max(0, min(1, fraction)) * 1000).rounded() / 10) + "%"
    }

    /// Daily messages as horizontal bars, one row a day: DMARC pass (green) then fail (red), scaled to
    /// the busiest day, with the day's counts and pass rate as numbers beside them.
    static func bars(_ chart: Document.DailyChart) -> String {
        let most = max(1, chart.days.map { $0.pass + $0.fail }.max() ?? 1)
        var out =
            "<p class=\"rm\" style=\"margin:10px 0 2px;color:\(muted);font-size:12px\">"
            + "\(Escaping.html(chart.title)): green DMARC pass, red fail.</p>\n"
            + tableOpen(width: "width:100%;max-width:640px")
            + "<tr><th \(headerCell) align=\"left\">day</th><th \(headerCell) align=\"left\" width=\"60%\">pass / fail</th>"
            + "<th \(headerCell) align=\"right\">messages</th><th \(headerCell) align=\"right\">pass</th></tr>\n"
        for day in chart.days {
            let total = day.pass + day.fail
            var segments = ""
            for (value, colour) in [(day.pass, pass), (day.fail, fail)] where value > 0 {
                segments +=
                    "<td width=\"\(width(value / most))\" bgcolor=\"\(colour)\" "
                    + "style=\"background:\(colour);height:10px;font-size:1px;line-height:10px\">&nbsp;</td>"
            }
            segments += "<td style=\"font-size:1px;line-height:10px\">&nbsp;</td>"
            let label = day.label.count == 10 ? String(day.label.suffix(5)) : day.label
            out +=
                "<tr><td \(cellStyle) nowrap>\(Escaping.html(label))</td>"
                + "<td \(cellStyle)><table role=\"presentation\" width=\"100%\" cellpadding=\"0\" "
                + "cellspacing=\"0\" border=\"0\"><tr>\(segments)</tr></table></td>"
                + "<td \(cellStyle) align=\"right\" nowrap>\(grouped(Int64(saturating: total)))</td>"
                + "<td \(cellStyle) align=\"right\" nowrap>\(total > 0 ? Escaping.html(percent(day.pass / total)) : "–")</td></tr>\n"
        }
        return out + "</table>\n"
    }
}
