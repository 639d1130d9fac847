import ReportModel

/// Output of `rua failures`.
public enum FailuresRenderer {
    /// JSON: the failing sources are the rows; the domains' totals and the reporters whose verdicts
    /// disagree with the auth results are sections beside them.
    public static func render(_ analysis: FailureAnalysis, format: AnalysisFormat, context: OutputContext) -> String {
        let period = context.periodLabel
        let rows = { analysis.groups.map { groupJSON($0, analysis.attributions[$0.sourceIP]) } }
        switch format {
        case .text: return document(analysis, period: period).render(.text, width: context.width)
        case .markdown: return document(analysis, period: period).render(.markdown)
        case .html: return document(analysis, period: period).render(.html)
        case .json: return context.document(rows: rows(), extra: sections(analysis))
        case .ndjson: return OutputContext.lines(rows())
        case .csv: return csvDocument(analysis)
        }
    }

    static func document(_ analysis: FailureAnalysis, period: String) -> Document {
        var doc = Document(title: "DMARC failure analysis \(period)")
        guard !analysis.domains.isEmpty else {
            doc.paragraph("No DMARC reports in this period.")
            return doc
        }
        doc.paragraph(
            "Traffic not aligned on both SPF and DKIM, by source, classified from the auth results. "
                + "Messages are weighted by count; \"DMARC fail\" is the part that failed DMARC.")
        doc.table(
            ["domain", "messages", "not fully aligned", "DMARC fail"],
            analysis.domains.map {
                [$0.policyDomain, grouped($0.messages), grouped($0.notFullyAligned), grouped($0.dmarcFail)]
            }, numeric: [1, 2, 3])
        for domain in analysis.domains {
            let groups = analysis.groups.filter { $0.policyDomain == domain.policyDomain }
            guard !groups.isEmpty else { continue }
            doc.heading(domain.policyDomain)
            for failureClass in FailureClass.allCases {
                let members = groups.filter { $0.failureClass == failureClass }
                guard !members.isEmpty else { continue }
                let messages = members.reduce(Int64(0)) { $0 &+ $1.messages }
                doc.heading(
                    "\(failureClass.title): \(counted(messages, "message")) from \(counted(members.count, "source"))",
                    level: 3)
                doc.table(
                    ["source", "messages", "DMARC fail", "sender", "header_from", "evidence"],
                    members.map {
                        [
                            $0.sourceIP, grouped($0.messages), grouped($0.dmarcFail),
                            AttributionText.sender(analysis.attributions[$0.sourceIP]),
                            $0.headerFrom.joined(separator: " "), $0.evidence.first ?? "",
                        ]
                    }, numeric: [1, 2])
                let fixes = members.compactMap { group in group.fix.map { "\(group.sourceIP): \($0)" } }
                doc.bullets(Array(fixes.prefix(10)))
            }
        }
        if !analysis.disagreements.isEmpty {
            doc.heading("Reporters whose verdicts disagree with the recomputation")
            doc.paragraph(
                "unsupported pass: the reporter says aligned pass, the auth results it lists show none; "
                    + "contradicting fail: it says fail, its auth results show an aligned pass.")
            doc.table(
                ["reporter", "records", "messages", "unsupported pass", "contradicting fail"],
                analysis.disagreements.map {
                    [
                        $0.reporter, grouped($0.records), grouped($0.messages), grouped($0.unsupportedPass),
                        grouped($0.contradictingFail),
                    ]
                }, numeric: [1, 2, 3, 4])
        }
        return doc
    }

    static func sections(_ analysis: FailureAnalysis) -> [(String, JSONValue)] {
        let domains: [JSONValue] = analysis.domains.map {
            .object([
                ("policy_domain", .string($0.policyDomain)), ("messages", .int($0.messages)),
                ("not_fully_aligned", .int($0.notFullyAligned)), ("dmarc_fail", .int($0.dmarcFail)),
            ])
        }
        let disagreements: [JSONValue] = analysis.disagreements.map {
            .object([
                ("org_name", .string($0.reporter)), ("records", .int($0.records)), ("messages", .int($0.messages)),
                ("unsupported_pass", .int($0.unsupportedPass)), ("contradicting_fail", .int($0.contradictingFail)),
            ])
        }
        return [("domains", .array(domains)), ("reporter_disagreements", .array(disagreements))]
    }

    static func groupJSON(_ group: FailureAnalysis.Group, _ attribution: SourceAttribution?) -> JSONValue {
        .object([
            ("policy_domain", .string(group.policyDomain)),
            ("source_ip", .string(group.sourceIP)),
            ("class", .string(group.failureClass.rawValue)),
            ("messages", .int(group.messages)),
            ("dmarc_fail", .int(group.dmarcFail)),
            ("records", .int(group.records)),
            ("reporters", .array(group.reporters.map { .string($0) })),
            ("header_from", .array(group.headerFrom.map { .string($0) })),
            ("evidence", .array(group.evidence.map { .string($0) })),
            ("fix", .string(group.fix)),
            ("dkim_domains", .array(group.dkimDomains.map { .string($0) })),
            ("spf_domains", .array(group.spfDomains.map { .string($0) })),
            ("attribution", AttributionText.json(attribution)),
        ])
    }

    static func csvDocument(_ analysis: FailureAnalysis) -> String {
        csv(
            [
                "policy_domain", "source_ip", "class", "messages", "dmarc_fail", "records", "reporters", "header_from",
                "evidence", "fix",
            ] + AttributionText.csvColumns,
            analysis.groups.map {
                [
                    $0.policyDomain, $0.sourceIP, $0.failureClass.rawValue, String($0.messages), String($0.dmarcFail),
                    String($0.records), $0.reporters.joined(separator: ";"), $0.headerFrom.joined(separator: ";"),
                    $0.evidence.joined(separator: ";"), $0.fix ?? "",
                ] + AttributionText.csvCells(analysis.attributions[$0.sourceIP])
            })
    }
}
