import Foundation
import ReportModel
import ReportRendering

/// The dashboard's pages, each a pure function of the model values a ``Views`` call loaded.
enum Pages {
    /// The period picker: the last 7, 30 or 90 days, or dates; a GET form, so the URL keeps the choice.
    static func periodForm(_ query: PageQuery, action: String) -> String {
        let options = [7, 30, 90].map { days in
            "<option value=\"\(days)\"\(query.since == nil && query.days == days ? " selected" : "")>last \(days) days</option>"
        }.joined()
        return """
            <form class="period" method="get" action="\(HTML.attribute(action))">
            <label>Period <select name="days">\(options)</select></label>
            <label>or from <input type="date" name="since" value="\(HTML.attribute(query.since ?? ""))"></label>
            <label>to <input type="date" name="until" value="\(HTML.attribute(query.until ?? ""))"></label>
            <button type="submit">Show</button>
            </form>
            <p class="muted">\(HTML.text(query.period.label))</p>
            """
    }

    static func advice(_ items: [Digest.Advice]) -> String {
        guard !items.isEmpty else { return "<p class=\"muted\">Nothing needs attention in this period.</p>" }
        return "<ul class=\"advice\">"
            + items.map { item in
                "<li class=\"\(item.severity.rawValue)\"><strong>\(HTML.text(item.severity.rawValue))</strong> "
                    + "\(HTML.link("/domain/\(HTML.segment(item.policyDomain))", item.policyDomain)): \(HTML.text(item.text))</li>"
            }.joined() + "</ul>"
    }

    static func overview(_ digest: Digest, query: PageQuery) -> String {
        var html = HTML()
        html.line(periodForm(query, action: "/"))
        html.line("<h2>Needs attention</h2>")
        html.line(advice(Array(digest.advice.prefix(20))))
        if digest.advice.count > 20 {
            html.line("<p class=\"muted\">\(digest.advice.count - 20) more in the JSON.</p>")
        }
        html.line("<h2>Domains</h2>")
        let rows = digest.domains.filter { $0.reports > 0 || $0.previous.messages > 0 }.map { domain -> [String] in
            let change = domain.passRateChange.map { String(format: "%+.1f", $0) } ?? "–"
            return [
                HTML.link("/domain/\(HTML.segment(domain.policyDomain))\(query.string)", domain.policyDomain),
                HTML.count(domain.totals.messages),
                HTML.percent(domain.totals.dmarcPass, of: domain.totals.messages),
                change,
                HTML.sparkline(domain.days.map { $0.messages > 0 ? $0.dmarcPass / $0.messages : nil }),
                HTML.text(domain.policy.p?.text ?? "–"),
                String(domain.reporters.count),
            ]
        }
        html.table(
            ["domain", "messages", "DMARC pass", "change (points)", "daily pass rate", "p", "reporters"], rows,
            numeric: [1, 2, 3, 6])
        return HTML.page(
            title: "Domains", body: html.output, json: "/api/digest\(query.string)",
            csv: "/api/summary.csv\(query.string)")
    }

    static func domain(
        _ name: String, digest: Digest, failures: FailureAnalysis, tls: [TLSDomainSummary], changes: [RecordChange],
        query: PageQuery
    ) -> String {
        var html = HTML()
        let here = "/domain/\(HTML.segment(name))"
        html.line(periodForm(query, action: here))
        if let domain = digest.domains.first(where: { $0.policyDomain == name }) {
            let t = domain.totals
            let policy = domain.policy
            var published = ["p=\(policy.p?.text ?? "–")"]
            if let sp = policy.sp?.text { published.append("sp=\(sp)") }
            if let np = policy.np?.text { published.append("np=\(np)") }
            if let pct = policy.pct { published.append("pct=\(pct)") }
            if let testing = policy.testing?.text { published.append("t=\(testing)") }
            html.line("<dl class=\"facts\">")
            for (label, value) in [
                ("messages", HTML.count(t.messages)),
                ("DMARC pass", HTML.percent(t.dmarcPass, of: t.messages)),
                ("SPF aligned", HTML.percent(t.spfAligned, of: t.messages)),
                ("DKIM aligned", HTML.percent(t.dkimAligned, of: t.messages)),
                ("quarantined / rejected", "\(HTML.count(t.quarantine)) / \(HTML.count(t.reject))"),
                ("policy published", published.joined(separator: "; ")),
            ] {
                html.line("<dt>\(HTML.text(label))</dt><dd>\(HTML.text(value))</dd>")
            }
            let reporters = domain.reporters.map { HTML.link("/reporter/\(HTML.segment($0))\(query.string)", $0) }
            html.line("<dt>reporters</dt><dd>\(reporters.joined(separator: ", "))</dd>")
            html.line("</dl>")
            html.line("<h2>Messages per day</h2>")
            html.line(HTML.dailyChart(domain.days))
        } else {
            html.line("<p class=\"muted\">No DMARC report for \(HTML.text(name)) in this period.</p>")
        }
        html.line("<h2>Needs attention</h2>")
        html.line(advice(digest.advice.filter { $0.policyDomain == name }))
        html.line("<h2>Failing sources by class</h2>")
        html.table(
            ["source", "who", "class", "messages", "failing DMARC", "evidence", "fix"],
            failures.groups.prefix(50).map { group in
                let who = failures.attributions[group.sourceIP].map(Self.who) ?? ""
                return [
                    HTML.link("/source/\(HTML.segment(group.sourceIP))\(query.string)", group.sourceIP),
                    HTML.text(who), HTML.text(group.failureClass.title), HTML.count(Double(group.messages)),
                    HTML.count(Double(group.dmarcFail)), HTML.text(group.evidence.joined(separator: "; ")),
                    HTML.text(group.fix ?? ""),
                ]
            }, numeric: [3, 4])
        if failures.groups.count > 50 {
            html.line(
                "<p class=\"muted\">The 50 largest of \(failures.groups.count): all of them in \(HTML.link("/api/failures.csv\(query.with("domain", name).string)", "the CSV")).</p>"
            )
        }
        // Receivers that did not apply the policy, and the reason they gave (the record's override).
        let overrides = failures.groups.compactMap { group -> [String]? in
            let said = group.evidence.filter { $0.hasPrefix("reporter's override:") }
            guard !said.isEmpty else { return nil }
            return [
                HTML.link("/source/\(HTML.segment(group.sourceIP))\(query.string)", group.sourceIP),
                HTML.count(Double(group.messages)),
                HTML.text(said.map { String($0.dropFirst("reporter's override: ".count)) }.joined(separator: "; ")),
                group.reporters.map { HTML.link("/reporter/\(HTML.segment($0))\(query.string)", $0) }
                    .joined(separator: ", "),
            ]
        }
        html.line("<h2>Receivers overriding the policy</h2>")
        html.table(["source", "messages", "override", "reporters"], overrides, numeric: [1])
        html.line("<h2>TLS sessions</h2>")
        if let summary = tls.first {
            html.line(
                "<p>\(HTML.count(Double(summary.totalSessions))) sessions, \(HTML.count(Double(summary.failedSessions))) failed; policies: \(HTML.text(summary.policyTypes.joined(separator: ", ")))</p>"
            )
            html.table(
                ["result type", "sessions", "MX hosts"],
                summary.byResultType.map {
                    [HTML.text($0.key), HTML.count(Double($0.sessions)), HTML.text($0.mxHosts.joined(separator: ", "))]
                }, numeric: [1], caption: "failures by result type")
            html.table(
                ["MX host", "failed sessions"],
                summary.byMXHost.map { [HTML.text($0.key), HTML.count(Double($0.sessions))] },
                numeric: [1], caption: "failures by MX host")
        } else {
            html.line("<p class=\"muted\">No TLS report in this period.</p>")
        }
        html.line("<h2>DNS history</h2>")
        html.table(
            ["seen", "change"],
            changes.reversed().map { [HTML.text(day($0.seen)), HTML.text($0.summary)] })
        html.line("<p class=\"muted\">rua check records the DNS each time it runs.</p>")
        return HTML.page(
            title: name, body: html.output, json: "/api/failures\(query.with("domain", name).string)",
            csv: "/api/failures.csv\(query.with("domain", name).string)")
    }

    static func source(_ address: String, failures: FailureAnalysis, query: PageQuery) -> String {
        var html = HTML()
        html.line(periodForm(query, action: "/source/\(HTML.segment(address))"))
        if let attribution = failures.attributions[address] {
            html.line("<p>\(HTML.text(who(attribution)))</p>")
            if !attribution.evidence.isEmpty {
                html.line("<p class=\"muted\">\(HTML.text(attribution.evidence.joined(separator: "; ")))</p>")
            }
        }
        let groups = failures.groups.filter { $0.sourceIP == address }
        html.table(
            ["domain", "class", "messages", "failing DMARC", "reporters", "evidence", "fix"],
            groups.map { group in
                [
                    HTML.link("/domain/\(HTML.segment(group.policyDomain))\(query.string)", group.policyDomain),
                    HTML.text(group.failureClass.title), HTML.count(Double(group.messages)),
                    HTML.count(Double(group.dmarcFail)), HTML.text(group.reporters.joined(separator: ", ")),
                    HTML.text(group.evidence.joined(separator: "; ")), HTML.text(group.fix ?? ""),
                ]
            }, numeric: [2, 3])
        return HTML.page(
            title: address, body: html.output, json: "/api/failures\(query.string)",
            csv: "/api/failures.csv\(query.string)")
    }

    static func reports(_ reports: [StoredReport], page: Int, more: Bool, query: PageQuery) -> String {
        var html = HTML()
        html.line(periodForm(query, action: "/reports"))
        html.table(
            ["begin", "end", "domain", "reporter", "report id", "records", "messages", "original"],
            reports.map { report in
                [
                    HTML.text(day(report.begin)), HTML.text(day(report.end)),
                    HTML.link("/domain/\(HTML.segment(report.policyDomain))\(query.string)", report.policyDomain),
                    report.orgName.map { HTML.link("/reporter/\(HTML.segment($0))\(query.string)", $0) } ?? "",
                    report.kind == .dmarc
                        ? HTML.link("/report/\(report.id)", report.reportID) : HTML.text(report.reportID),
                    String(report.records),
                    HTML.count(Double(report.messages)),
                    HTML.link("/reports/\(report.kind == .tlsrpt ? "tls-" : "")\(report.id)/original", "download"),
                ]
            }, numeric: [5, 6])
        var pages: [String] = []
        if page > 1 { pages.append(HTML.link("/reports\(query.with("page", String(page - 1)).string)", "newer")) }
        if more { pages.append(HTML.link("/reports\(query.with("page", String(page + 1)).string)", "older")) }
        html.line("<p>\(pages.joined(separator: " · "))</p>")
        return HTML.page(
            title: "Reports", body: html.output, json: "/api/reports\(query.string)",
            csv: "/api/reports.csv\(query.string)")
    }

    /// What one reporter sent in the period: per domain its reports and messages, then the reports.
    static func reporter(_ name: String, reports: [StoredReport], query: PageQuery) -> String {
        var html = HTML()
        html.line(periodForm(query, action: "/reporter/\(HTML.segment(name))"))
        var domains: [String: (reports: Int, messages: Int64, last: Int64)] = [:]
        for report in reports {
            var entry = domains[report.policyDomain] ?? (0, 0, 0)
            entry.reports += 1
            entry.messages += report.messages
            entry.last = max(entry.last, report.end)
            domains[report.policyDomain] = entry
        }
        html.line("<h2>Domains</h2>")
        html.table(
            ["domain", "reports", "messages", "last report ends"],
            domains.sorted { $0.key < $1.key }.map { domain, entry in
                [
                    HTML.link("/domain/\(HTML.segment(domain))\(query.string)", domain), String(entry.reports),
                    HTML.count(Double(entry.messages)), HTML.text(day(entry.last)),
                ]
            }, numeric: [1, 2])
        html.line("<h2>Reports</h2>")
        html.table(
            ["begin", "domain", "report id", "kind", "messages"],
            reports.sorted { ($0.begin, $0.id) > ($1.begin, $1.id) }.prefix(200).map { report in
                [
                    HTML.text(day(report.begin)), HTML.text(report.policyDomain),
                    report.kind == .dmarc
                        ? HTML.link("/report/\(report.id)", report.reportID) : HTML.text(report.reportID),
                    HTML.text(report.kind.rawValue), HTML.count(Double(report.messages)),
                ]
            }, numeric: [4])
        return HTML.page(
            title: name, body: html.output, json: "/api/reports\(query.string)", csv: "/api/reports.csv\(query.string)")
    }

    static func report(_ id: Int64, _ detail: ReportDetail, page: Int, perPage: Int) -> String {
        var html = HTML()
        html.line("<dl class=\"facts\">")
        for (label, value) in [
            ("reporter", detail.orgName ?? ""), ("contact", detail.email ?? ""), ("report id", detail.reportID),
            ("policy domain", detail.policyDomain), ("period", "\(day(detail.begin)) – \(day(detail.end))"),
            ("records", String(detail.records)), ("messages", HTML.count(Double(detail.messages))),
            ("counted", detail.counted ? "yes" : "no: a variant of another report with the same identity"),
        ] {
            html.line("<dt>\(HTML.text(label))</dt><dd>\(HTML.text(value))</dd>")
        }
        html.line("</dl>")
        html.line("<p>\(HTML.link("/reports/\(id)/original", "Download the original as received"))</p>")
        if !detail.diagnostics.isEmpty {
            html.line("<h2>Diagnostics</h2>")
            html.table(
                ["severity", "code", "message", "times"],
                detail.diagnostics.map {
                    [HTML.text($0.severity), HTML.text($0.code), HTML.text($0.message), String($0.occurrences)]
                }, numeric: [3])
        }
        html.line("<h2>Records</h2>")
        if detail.recordsPruned {
            html.line("<p class=\"muted\">rua prune deleted this report's records; its counts remain.</p>")
        }
        html.table(
            [
                "source", "messages", "disposition", "DKIM", "SPF", "header_from", "envelope_from", "DKIM result",
                "SPF result",
            ],
            detail.rows.map { row in
                [
                    HTML.link("/source/\(HTML.segment(row.sourceIP))", row.sourceIP), HTML.count(Double(row.count)),
                    HTML.text(row.disposition ?? ""), HTML.text(row.dkim ?? ""), HTML.text(row.spf ?? ""),
                    HTML.text(row.headerFrom ?? ""), HTML.text(row.envelopeFrom ?? ""),
                    HTML.text([row.dkimDomain, row.dkimResult].compactMap { $0 }.joined(separator: " ")),
                    HTML.text([row.spfDomain, row.spfResult].compactMap { $0 }.joined(separator: " ")),
                ]
            }, numeric: [1])
        var pages: [String] = []
        if page > 1 { pages.append(HTML.link("/report/\(id)?page=\(page - 1)", "previous records")) }
        if page * perPage < detail.records { pages.append(HTML.link("/report/\(id)?page=\(page + 1)", "next records")) }
        html.line("<p>\(pages.joined(separator: " · "))</p>")
        return HTML.page(title: "Report \(detail.reportID)", body: html.output)
    }

    static func quarantine(_ inputs: [KeptInput], csrf: String) -> String {
        var html = HTML()
        html.line(
            "<p>Inputs kept because something in them could not be used, with the reason. Reprocessing runs them through the current import again; it needs a write token.</p>"
        )
        html.table(
            ["input", "imported", "size", "reason", "original", "reprocess"],
            inputs.map { input in
                let reasons = input.items.compactMap(\.reason)
                return [
                    HTML.text("#\(input.id) \(input.name)"), HTML.text(day(input.importedAt)),
                    HTML.count(Double(input.size)), HTML.text(reasons.joined(separator: "; ")),
                    HTML.link("/quarantine/\(input.id)/original", "download"),
                    """
                    <form method="post" action="/quarantine/\(input.id)/reprocess"><input type="hidden" name="csrf" value="\(HTML.attribute(csrf))"><input type="password" name="token" placeholder="write token" autocomplete="off" aria-label="write token"> <button type="submit">Reprocess</button></form>
                    """,
                ]
            }, numeric: [2])
        return HTML.page(title: "Quarantine", body: html.output, json: "/api/quarantine")
    }

    static func message(title: String, text: String) -> String {
        HTML.page(title: title, body: "<p>\(HTML.text(text))</p>")
    }

    static func who(_ attribution: SourceAttribution) -> String {
        var parts: [String] = []
        if let service = attribution.service { parts.append(service.name) }
        if case .name(let name, let confirmed) = attribution.reverse {
            parts.append(name + (confirmed ? "" : " (PTR not confirmed)"))
        }
        return parts.joined(separator: ", ")
    }

    static func day(_ epoch: Int64) -> String { TimeFormat.date(epoch) }
}

/// A page's query string: the period (`days`, or `since` and `until`), and what else it filters on.
struct PageQuery: Sendable {
    var days = 7
    var since: String?
    var until: String?
    var extra: [(String, String)] = []
    var period: ReportPeriod

    init(parameters: [(String, String)], now: Int64) throws {
        for (name, value) in parameters where !value.isEmpty {
            switch name {
            case "days":
                guard let days = Int(value), (1...3_650).contains(days) else {
                    throw PageError.badRequest("days takes 1 to 3650")
                }
                self.days = days
            case "since": since = value
            case "until": until = value
            default: extra.append((name, value))
            }
        }
        if let since {
            guard let start = try? DateArgument.parse(since, now: now) else {
                throw PageError.badRequest("since is not a date (YYYY-MM-DD)")
            }
            var end = now
            if let until {
                guard let last = try? DateArgument.parse(until, now: now) else {
                    throw PageError.badRequest("until is not a date (YYYY-MM-DD)")
                }
                end = last + 86_400
            }
            guard end > start else { throw PageError.badRequest("until is before since") }
            period = ReportPeriod(start: start, end: end)
        } else {
            period = ReportPeriod.lastFullDays(days, now: now)
        }
    }

    func value(_ name: String) -> String? { extra.first { $0.0 == name }?.1 }

    func with(_ name: String, _ value: String) -> PageQuery {
        var copy = self
        copy.extra.removeAll { $0.0 == name }
        copy.extra.append((name, value))
        return copy
    }

    /// `?days=30&domain=…`, or `?days=7`.
    var string: String {
        var parts: [(String, String)] = since == nil ? [("days", String(days))] : [("since", since!)]
        if let until { parts.append(("until", until)) }
        parts += extra
        return "?" + parts.map { "\(HTML.query($0.0))=\(HTML.query($0.1))" }.joined(separator: "&")
    }
}

enum PageError: Error {
    case badRequest(String)
    case notFound(String)
}
