import ReportModel

/// The formats of `rua digest` and `rua failures`.
public enum AnalysisFormat: String, Sendable, CaseIterable {
    case text, markdown, html, json, ndjson, csv
}

/// How much of each domain the digest details (`--detail`).
public enum DigestDetail: String, Sendable, CaseIterable {
    /// The domains with something needing attention (every domain when there is one).
    case auto
    case all
    case none
}

/// Output of `rua digest`.
public enum DigestRenderer {
    /// JSON: the domains are the rows; the period before, what changed, TLS, advice and data health are
    /// sections beside them. NDJSON: a line per domain.
    public static func render(
        _ digest: Digest, format: AnalysisFormat, context: OutputContext, detail: DigestDetail = .auto
    ) -> String {
        switch format {
        case .text: document(digest, detail: detail).render(.text, width: context.width)
        case .markdown: document(digest, detail: detail).render(.markdown)
        case .html: document(digest, detail: detail).render(.html)
        case .json: context.document(rows: digest.domains.map(domainJSON), extra: sections(digest))
        case .ndjson: OutputContext.lines(digest.domains.map(domainJSON))
        case .csv: csv(digest)
        }
    }

    static func count(_ value: Double) -> String { grouped(Int64(saturating: value)) }

    /// A mail subject: the period, and what needs attention counted by severity.
    public static func subject(_ digest: Digest) -> String {
        "DMARC digest \(digest.period.label): " + attentionCount(digest.advice)
    }

    /// `2 critical, 5 warning` (notices and information left out), or `nothing needs attention`.
    static func attentionCount(_ advice: [Digest.Advice]) -> String {
        let counts = [Digest.Advice.Severity.critical, .warning].compactMap { severity -> String? in
            let count = advice.filter { $0.severity == severity }.count
            return count > 0 ? "\(count) \(severity.rawValue)" : nil
        }
        return counts.isEmpty ? "nothing needs attention" : counts.joined(separator: ", ")
    }

    /// Lines shown in a chat message.
    static let webhookItems = 10

    /// A webhook body: `text` for chat (Slack, Teams and Mattermost show it), then the whole JSON digest
    /// under `digest` for anything that reads more.
    public static func webhook(_ digest: Digest, context: OutputContext) -> String {
        let totals = digest.domains.reduce(into: MessageTotals()) { $0 += $1.totals }
        var lines = [
            "DMARC digest \(digest.period.label): \(counted(digest.domains.filter { $0.reports > 0 }.count, "domain")), "
                + "\(count(totals.messages)) messages, \(percent(totals.rate(totals.dmarcPass))) DMARC pass; "
                + attentionCount(digest.advice) + "."
        ]
        lines += digest.advice.prefix(webhookItems).map { "• [\($0.severity.rawValue)] \($0.policyDomain): \($0.text)" }
        if digest.advice.count > webhookItems { lines.append("… and \(digest.advice.count - webhookItems) more.") }
        let document = context.documentValue(rows: digest.domains.map(domainJSON), extra: sections(digest))
        return JSONValue.object([("text", .string(lines.joined(separator: "\n"))), ("digest", document)]).serialized()
            + "\n"
    }

    /// A whole number as an integer, else a fraction to 4 decimals.
    static func number(_ value: Double) -> JSONValue {
        value.rounded() == value && abs(value) < 9e15
            ? .int(Int64(value)) : .double((value * 10_000).rounded() / 10_000)
    }

    static func change(_ domain: Digest.Domain) -> String {
        guard let change = domain.passRateChange else { return "new" }
        let rounded = (change * 10).rounded() / 10
        return (rounded > 0 ? "+" : rounded < 0 ? "" : "±") + String(rounded)
    }

    static func policyText(_ policy: PolicyPublished) -> String {
        var parts = ["p=\(policy.p?.text ?? "?")"]
        if let sp = policy.sp { parts.append("sp=\(sp.text)") }
        if let np = policy.np { parts.append("np=\(np.text)") }
        if let pct = policy.pct { parts.append("pct=\(pct)") }
        if let testing = policy.testing { parts.append("t=\(testing.text)") }
        if let adkim = policy.adkim { parts.append("adkim=\(adkim.text)") }
        if let aspf = policy.aspf { parts.append("aspf=\(aspf.text)") }
        return parts.joined(separator: " ")
    }

    /// Attention items shown in full at the top; the rest are counted (JSON has them all).
    static let attentionShown = 20
    /// Domains listed in the table by default: a digest of 500 domains stays readable.
    static let tableRows = 50
    /// Domains detailed by default: those of the most urgent items.
    static let detailedShown = 5
    /// Rows of each "what changed" table (JSON has them all).
    static let changesShown = 10

    /// The line under a table cut at ``changesShown`` rows.
    static func more(_ total: Int, into doc: inout Document) {
        if total > changesShown { doc.paragraph("… and \(total - changesShown) more: --format json lists them all.") }
    }

    /// Items that make a domain worth detailing: critical and warning ones.
    static func urgent(_ digest: Digest) -> [Digest.Advice] {
        digest.advice.filter { $0.severity == .critical || $0.severity == .warning }
    }

    static func document(_ digest: Digest, detail: DigestDetail = .auto) -> Document {
        var doc = Document(title: "DMARC digest \(digest.period.label)")
        doc.paragraph("Compared with \(digest.previousPeriod.label). Counts are messages, as reported.")
        guard !digest.isEmpty else {
            doc.paragraph(
                "No reports at all in this period: no DMARC or TLS report begins between \(digest.period.label). "
                    + "If reports are expected, check that mail reaches rua import and that the rua= address is published."
            )
            health(digest.health, into: &doc)
            return doc
        }
        if !digest.advice.isEmpty {
            doc.heading("Needs attention")
            doc.bullets(
                digest.advice.prefix(attentionShown).map { "[\($0.severity.rawValue)] \($0.policyDomain): \($0.text)" })
            if digest.advice.count > attentionShown {
                let rest = digest.advice.count - attentionShown
                let bySeverity = Digest.Advice.Severity.allCases.compactMap { severity -> String? in
                    let count = digest.advice.dropFirst(attentionShown).filter { $0.severity == severity }.count
                    return count > 0 ? "\(count) \(severity.rawValue)" : nil
                }
                doc.paragraph(
                    "… and \(rest) more (\(bySeverity.joined(separator: ", "))): --format json lists them all.")
            }
        }
        let active = digest.domains.filter { $0.reports > 0 }
        if !active.isEmpty {
            doc.heading("Domains")
            // A line a domain: those needing attention first, then the busiest; past ``tableRows`` the rest
            // are summed up in a sentence (all of them with --detail all, and in JSON).
            let flagged = Set(urgent(digest).map(\.policyDomain))
            let ordered =
                active.filter { flagged.contains($0.policyDomain) }
                + active.filter { !flagged.contains($0.policyDomain) }
            let listed = detail == .all ? ordered : Array(ordered.prefix(tableRows))
            doc.table(
                ["domain", "messages", "DMARC pass", "change, pts", "SPF aligned", "DKIM aligned", "p="],
                listed.map { domain in
                    let totals = domain.totals
                    return [
                        domain.policyDomain, count(totals.messages), percent(totals.rate(totals.dmarcPass)),
                        change(domain), percent(totals.rate(totals.spfAligned)),
                        percent(totals.rate(totals.dkimAligned)), domain.policy.p?.text ?? "?",
                    ]
                }, numeric: [1, 2, 3, 4, 5], secondary: [4, 5])
            if listed.count < ordered.count {
                var rest = MessageTotals()
                for domain in ordered.dropFirst(listed.count) { rest += domain.totals }
                doc.paragraph(
                    "… and \(ordered.count - listed.count) more domains with \(count(rest.messages)) messages, "
                        + "\(percent(rest.rate(rest.dmarcPass))) DMARC pass, none needing attention: --detail all lists them."
                )
            }
        }
        let detailed: [Digest.Domain]
        var detailNote: String?
        switch detail {
        case .all: detailed = active
        case .none: detailed = []
        case .auto:
            // A domain with something to say: an item needing attention beyond a note of information.
            // The domains of the most urgent items, in their order, the first few.
            var names: [String] = []
            for item in urgent(digest) where !names.contains(item.policyDomain) { names.append(item.policyDomain) }
            let shown = Array(names.prefix(detailedShown))
            detailed =
                active.count == 1 ? active : shown.compactMap { name in active.first { $0.policyDomain == name } }
            if names.count > shown.count {
                detailNote =
                    "\(names.count - shown.count) more domains need attention: --detail all details every domain."
            }
        }
        for domain in detailed {
            let totals = domain.totals
            doc.heading(domain.policyDomain)
            doc.paragraph(
                "\(count(totals.messages)) messages in \(domain.reports) report\(domain.reports == 1 ? "" : "s") from "
                    + "\(domain.reporters.count) reporter\(domain.reporters.count == 1 ? "" : "s"); "
                    + "before: \(count(domain.previous.messages)) messages, "
                    + "\(percent(domain.previous.rate(domain.previous.dmarcPass))) DMARC pass.")
            let failing = totals.dmarcFail
            doc.paragraph(
                "Published: \(policyText(domain.policy))"
                    + (domain.policiesSeen.count > 1
                        ? " (reporters saw p=\(domain.policiesSeen.joined(separator: ", p=")))" : "")
                    + ". Applied: \(count(totals.messages - totals.quarantine - totals.reject)) delivered, "
                    + "\(count(totals.quarantine)) quarantined, \(count(totals.reject)) rejected; "
                    + "\(count(failing)) failed DMARC"
                    + (failing > 0
                        ? " (\(percent((totals.quarantine + totals.reject) / failing)) of them enforced)." : "."))
            doc.chart(
                Document.DailyChart(
                    title: "\(domain.policyDomain) per day",
                    days: domain.days.map { ($0.label, $0.dmarcPass, $0.messages - $0.dmarcPass) }))
        }
        if let detailNote { doc.paragraph(detailNote) }
        doc.heading("What changed")
        if digest.newSources.isEmpty {
            doc.paragraph("No new sending sources (none unseen in the 28 days before).")
        } else {
            doc.heading("New sources (not seen in the 28 days before)", level: 3)
            doc.table(
                ["domain", "source", "messages", "DMARC pass", "sender", "header_from"],
                digest.newSources.prefix(changesShown).map {
                    [
                        $0.policyDomain, $0.sourceIP, count($0.messages),
                        percent($0.messages > 0 ? $0.dmarcPass / $0.messages : nil),
                        AttributionText.sender(digest.attributions[$0.sourceIP]), $0.headerFrom.joined(separator: " "),
                    ]
                }, numeric: [2, 3])
            more(digest.newSources.count, into: &doc)
        }
        if !digest.startedFailing.isEmpty {
            doc.heading("Sources that started failing", level: 3)
            doc.table(
                ["domain", "source", "messages", "failing now", "pass before", "sender"],
                digest.startedFailing.prefix(changesShown).map {
                    [
                        $0.policyDomain, $0.sourceIP, count($0.messages), count($0.messages - $0.dmarcPass),
                        percent($0.earlierMessages > 0 ? $0.earlierPass / $0.earlierMessages : nil),
                        AttributionText.sender(digest.attributions[$0.sourceIP]),
                    ]
                }, numeric: [2, 3, 4])
            more(digest.startedFailing.count, into: &doc)
        }
        if digest.silentReporters.isEmpty {
            doc.paragraph("Every reporter of the 28 days before sent reports in this period.")
        } else {
            doc.heading("Silent reporters (reports in the 28 days before, none now)", level: 3)
            doc.table(
                ["domain", "reporter", "reports before", "last report began"],
                digest.silentReporters.prefix(changesShown).map {
                    [$0.policyDomain, $0.reporter, String($0.earlierReports), digest.period.dayLabel($0.lastBegin)]
                }, numeric: [2])
            more(digest.silentReporters.count, into: &doc)
        }
        if !digest.tls.isEmpty {
            doc.heading("TLS (SMTP TLS reports)")
            doc.table(
                ["domain", "sessions", "success", "failed", "failures by type", "failures by MX"],
                digest.tls.map { tls in
                    [
                        tls.domain.isEmpty ? "(no policy domain)" : tls.domain,
                        grouped(tls.totalSessions), percent(tls.successRate),
                        grouped(tls.failedSessions),
                        tls.byResultType.map { "\($0.key) \(grouped($0.sessions))" }.joined(separator: ", "),
                        tls.byMXHost.map { "\($0.key) \(grouped($0.sessions))" }.joined(separator: ", "),
                    ]
                }, numeric: [1, 2, 3])
        }
        health(digest.health, into: &doc)
        return doc
    }

    static func health(_ health: DataHealth, into doc: inout Document) {
        doc.heading("Data health")
        doc.paragraph(
            "Imported in the period: \(health.inputs) input\(health.inputs == 1 ? "" : "s"); reports stored "
                + "\(health.stored), duplicates \(health.duplicates), rejected and kept \(health.rejected), "
                + "skipped (not reports) \(health.skipped).")
        doc.bullets(health.rejectionReasons.map { "rejected \($0.1)×: \($0.0)" })
        if !health.diagnostics.isEmpty {
            doc.paragraph(
                "Diagnostics in the period's reports: "
                    + health.diagnostics.map { "\($0.0) \($0.1)" }.joined(separator: ", ") + ".")
        }
    }

    static func totalsJSON(_ totals: MessageTotals) -> JSONValue {
        .object([
            ("messages", .int(Int64(saturating: totals.messages))),
            ("dmarc_pass", .int(Int64(saturating: totals.dmarcPass))),
            ("dmarc_pass_rate", .rate(totals.rate(totals.dmarcPass))),
            ("spf_aligned", .int(Int64(saturating: totals.spfAligned))),
            ("spf_aligned_rate", .rate(totals.rate(totals.spfAligned))),
            ("dkim_aligned", .int(Int64(saturating: totals.dkimAligned))),
            ("dkim_aligned_rate", .rate(totals.rate(totals.dkimAligned))),
            ("quarantine", .int(Int64(saturating: totals.quarantine))),
            ("reject", .int(Int64(saturating: totals.reject))),
        ])
    }

    static func sourceJSON(_ source: SourceActivity, _ attribution: SourceAttribution?) -> JSONValue {
        .object([
            ("policy_domain", .string(source.policyDomain)), ("source_ip", .string(source.sourceIP)),
            ("messages", .int(Int64(saturating: source.messages))),
            ("dmarc_pass", .int(Int64(saturating: source.dmarcPass))),
            ("earlier_messages", .int(Int64(saturating: source.earlierMessages))),
            ("earlier_dmarc_pass", .int(Int64(saturating: source.earlierPass))),
            ("header_from", .array(source.headerFrom.map { .string($0) })),
            ("attribution", AttributionText.json(attribution)),
        ])
    }

    static func sections(_ digest: Digest) -> [(String, JSONValue)] {
        let silent: [JSONValue] = digest.silentReporters.map {
            .object([
                ("policy_domain", .string($0.policyDomain)), ("org_name", .string($0.reporter)),
                ("earlier_reports", .int($0.earlierReports)), ("last_begin", .time($0.lastBegin)),
            ])
        }
        let advice: [JSONValue] = digest.advice.map { item in
            .object([
                ("code", .string(item.code)), ("severity", .string(item.severity.rawValue)),
                ("policy_domain", .string(item.policyDomain)), ("source_ip", .string(item.sourceIP)),
                ("mx_host", .string(item.mxHost)), ("org_name", .string(item.reporter)),
                ("numbers", .object(item.numbers.map { ($0.name, Self.number($0.value)) })),
                ("text", .string(item.text)),
            ])
        }
        return [
            ("previous_period", periodJSON(digest.previousPeriod)),
            ("empty", .bool(digest.isEmpty)),
            ("missing_reports", .array(digest.missingReports.map { .string($0) })),
            ("new_sources", .array(digest.newSources.map { sourceJSON($0, digest.attributions[$0.sourceIP]) })),
            ("started_failing", .array(digest.startedFailing.map { sourceJSON($0, digest.attributions[$0.sourceIP]) })),
            ("silent_reporters", .array(silent)),
            ("tls", .array(digest.tls.map(TLSRenderer.json))),
            ("advice", .array(advice)),
            ("health", healthJSON(digest.health)),
        ]
    }

    static func domainJSON(_ domain: Digest.Domain) -> JSONValue {
        let policy = domain.policy
        let policyJSON: JSONValue = .object([
            ("p", .string(policy.p?.text)), ("sp", .string(policy.sp?.text)), ("np", .string(policy.np?.text)),
            ("pct", .int(policy.pct)), ("testing", .string(policy.testing?.text)),
            ("adkim", .string(policy.adkim?.text)), ("aspf", .string(policy.aspf?.text)),
        ])
        let days: [JSONValue] = dailyCounts(domain).map { day in
            .object([
                ("day", .string(day.label)), ("messages", .int(day.pass.saturatingAdd(day.fail))),
                ("dmarc_pass", .int(day.pass)),
                ("dmarc_fail", .int(day.fail)),
            ])
        }
        let change: JSONValue = domain.passRateChange.map { .double(($0 * 10).rounded() / 10) } ?? .null
        return .object([
            ("policy_domain", .string(domain.policyDomain)),
            ("reports", .int(domain.reports)),
            ("reporters", .array(domain.reporters.map { .string($0) })),
            ("totals", totalsJSON(domain.totals)),
            ("previous", totalsJSON(domain.previous)),
            ("dmarc_pass_change_points", change),
            ("policy", policyJSON),
            ("policies_seen", .array(domain.policiesSeen.map { .string($0) })),
            ("days", .array(days)),
        ])
    }

    static func healthJSON(_ health: DataHealth) -> JSONValue {
        let reasons: [JSONValue] = health.rejectionReasons.map {
            .object([("reason", .string($0.0)), ("items", .int($0.1))])
        }
        let diagnostics: [JSONValue] = health.diagnostics.map {
            .object([("code", .string($0.0)), ("occurrences", .int($0.1))])
        }
        return .object([
            ("inputs", .int(health.inputs)), ("stored", .int(health.stored)), ("duplicates", .int(health.duplicates)),
            ("rejected", .int(health.rejected)), ("skipped", .int(health.skipped)),
            ("rejection_reasons", .array(reasons)), ("diagnostics", .array(diagnostics)),
        ])
    }

    static func periodJSON(_ period: ReportPeriod) -> JSONValue {
        .object([
            ("start", .time(period.start)), ("end", .time(period.end)), ("time_zone", .string(period.zoneName)),
        ])
    }

    /// One row per domain and day: the daily series, for a spreadsheet chart.
    static func csv(_ digest: Digest) -> String {
        ReportRendering.csv(
            ["policy_domain", "day", "messages", "dmarc_pass", "dmarc_fail", "dmarc_pass_rate"],
            digest.domains.flatMap { domain in
                dailyCounts(domain).map { day in
                    let messages = day.pass.saturatingAdd(day.fail)
                    return [
                        domain.policyDomain, day.label, String(messages), String(day.pass), String(day.fail),
                        messages > 0 ? String((Double(day.pass) / Double(messages) * 10_000).rounded() / 10_000) : "",
                    ]
                }
            })
    }

    /// A domain's days in whole messages. A report spanning several days is apportioned to them by share,
    /// which leaves fractions; passing and failing messages are each rounded by the largest remainder
    /// (floor every day, then give the units still missing to the days with the largest fractions, the
    /// earlier first on a tie), so that each adds up over the days to its rounded total, and messages are
    /// their sum.
    static func dailyCounts(_ domain: Digest.Domain) -> [(label: String, pass: Int64, fail: Int64)] {
        let pass = largestRemainder(domain.days.map(\.dmarcPass))
        let fail = largestRemainder(domain.days.map { max(0, $0.messages - $0.dmarcPass) })
        return domain.days.indices.map { (domain.days[$0].label, pass[$0], fail[$0]) }
    }

    static func largestRemainder(_ values: [Double]) -> [Int64] {
        var whole = values.map { Int64(saturating: $0.rounded(.down)) }
        let target = Int64(saturating: values.reduce(0, +).rounded())
        var missing = target.subtractingReportingOverflow(whole.reduce(0) { $0.saturatingAdd($1) }).partialValue
        let order = values.indices.sorted { left, right in
            let a = values[left] - values[left].rounded(.down)
            let b = values[right] - values[right].rounded(.down)
            return a == b ? left < right : a > b
        }
        for index in order where missing > 0 && whole[index] < .max {
            whole[index] += 1
            missing -= 1
        }
        return whole
    }
}
