import ReportModel

/// Output of `rua sources`.
public enum SourcesRenderer {
    public static func render(
        _ sources: [SourceTotals], attributions: [String: SourceAttribution], format: AnalysisFormat,
        context: OutputContext
    ) -> String {
        let period = context.periodLabel
        let rows = { sources.map { json($0, attributions[$0.sourceIP]) } }
        switch format {
        case .text: return document(sources, attributions, period: period).render(.text, width: context.width)
        case .markdown: return document(sources, attributions, period: period).render(.markdown)
        case .html: return document(sources, attributions, period: period).render(.html)
        case .json: return context.document(rows: rows())
        case .ndjson: return OutputContext.lines(rows())
        case .csv: return csvDocument(sources, attributions)
        }
    }

    static func document(
        _ sources: [SourceTotals], _ attributions: [String: SourceAttribution], period: String
    )
        -> Document
    {
        var doc = Document(title: "Sending sources \(period)")
        guard !sources.isEmpty else {
            doc.paragraph("No DMARC reports in this period.")
            return doc
        }
        doc.paragraph("Messages weighted by count, most first; who each source is, and how Rua knows.")
        doc.table(
            ["source", "messages", "DMARC pass", "sender", "header_from"],
            sources.map { source in
                [
                    source.sourceIP, DigestRenderer.count(source.totals.messages),
                    percent(source.totals.rate(source.totals.dmarcPass)),
                    AttributionText.sender(attributions[source.sourceIP]), source.headerFrom.joined(separator: " "),
                ]
            }, numeric: [1, 2])
        let explained = sources.compactMap { source -> String? in
            guard let attribution = attributions[source.sourceIP], !attribution.evidence.isEmpty else { return nil }
            let service = attribution.service.map { "\($0.name) (\($0.type)): " } ?? ""
            return "\(source.sourceIP): \(service)\(attribution.evidence.joined(separator: "; "))"
        }
        if !explained.isEmpty {
            doc.heading("Evidence")
            doc.bullets(explained)
        }
        return doc
    }

    static func json(_ source: SourceTotals, _ attribution: SourceAttribution?) -> JSONValue {
        let totals = source.totals
        return .object([
            ("source_ip", .string(source.sourceIP)),
            ("messages", .int(Int64(saturating: totals.messages))),
            ("dmarc_pass", .int(Int64(saturating: totals.dmarcPass))),
            ("dmarc_pass_rate", .rate(totals.rate(totals.dmarcPass))),
            ("dkim_aligned_rate", .rate(totals.rate(totals.dkimAligned))),
            ("spf_aligned_rate", .rate(totals.rate(totals.spfAligned))),
            ("policy_domains", .array(source.policyDomains.map { .string($0) })),
            ("header_from", .array(source.headerFrom.map { .string($0) })),
            ("attribution", AttributionText.json(attribution)),
        ])
    }

    static func csvDocument(_ sources: [SourceTotals], _ attributions: [String: SourceAttribution]) -> String {
        csv(
            [
                "source_ip", "messages", "dmarc_pass", "dmarc_pass_rate", "dkim_aligned_rate", "spf_aligned_rate",
                "policy_domains", "header_from",
            ] + AttributionText.csvColumns,
            sources.map { source in
                let totals = source.totals
                func rate(_ value: Double?) -> String { value.map { String(($0 * 10_000).rounded() / 10_000) } ?? "" }
                return [
                    source.sourceIP, String(Int64(saturating: totals.messages)),
                    String(Int64(saturating: totals.dmarcPass)),
                    rate(totals.rate(totals.dmarcPass)), rate(totals.rate(totals.dkimAligned)),
                    rate(totals.rate(totals.spfAligned)), source.policyDomains.joined(separator: ";"),
                    source.headerFrom.joined(separator: ";"),
                ] + AttributionText.csvCells(attributions[source.sourceIP])
            })
    }
}
