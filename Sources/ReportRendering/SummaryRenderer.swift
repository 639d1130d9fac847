import ReportModel

/// Output of `rua summary`.
public enum SummaryRenderer {
    public static func render(_ summaries: [DomainSummary], format: OutputFormat, context: OutputContext) -> String {
        switch format {
        case .text: text(summaries, period: context.periodLabel, colors: context.colors) + "\n"
        case .json: context.document(rows: summaries.map(json))
        case .ndjson: OutputContext.lines(summaries.map(json))
        case .csv: csvDocument(summaries)
        }
    }

    static func text(_ summaries: [DomainSummary], period: String, colors: Bool = false) -> String {
        guard !summaries.isEmpty else { return "no reports for \(period)" }
        var lines: [String] = []
        for summary in summaries {
            if !lines.isEmpty { lines.append("") }
            lines.append("\(Escaping.terminal(summary.domain))  (\(period))")
            lines.append(
                "  \(counted(summary.messages, "message")) in \(counted(summary.reports, "report")) "
                    + "from \(counted(summary.reporters, "reporter"))")
            lines.append(
                contentsOf: table(
                    ["", "rate", "messages"],
                    [
                        ["DMARC pass", percent(summary.rate(summary.dmarcPass)), grouped(summary.dmarcPass)],
                        ["SPF aligned", percent(summary.rate(summary.spfAligned)), grouped(summary.spfAligned)],
                        ["DKIM aligned", percent(summary.rate(summary.dkimAligned)), grouped(summary.dkimAligned)],
                        ["none", percent(summary.rate(summary.dispositionNone)), grouped(summary.dispositionNone)],
                        [
                            "quarantine", percent(summary.rate(summary.dispositionQuarantine)),
                            grouped(summary.dispositionQuarantine),
                        ],
                        [
                            "reject", percent(summary.rate(summary.dispositionReject)),
                            grouped(summary.dispositionReject),
                        ],
                    ],
                    leftAligned: [0]
                ).dropFirst().enumerated().map { index, line in
                    // The DMARC pass line in its verdict's colour, once the columns are laid out.
                    "  " + (index == 0 ? Style.rate(line, summary.rate(summary.dmarcPass), colors) : line)
                })
            if summary.topFailingSources.isEmpty {
                lines.append("  no sources failing DMARC")
            } else {
                lines.append("  top sources failing DMARC:")
                let rows = summary.topFailingSources.map {
                    [
                        Escaping.terminal($0.sourceIP), grouped($0.messages),
                        Escaping.terminal($0.headerFrom.joined(separator: " ")),
                    ]
                }
                lines.append(
                    contentsOf: table(["source", "messages", "header_from"], rows, leftAligned: [0, 2]).map {
                        "    " + $0
                    })
            }
        }
        return lines.joined(separator: "\n")
    }

    static func json(_ summary: DomainSummary) -> JSONValue {
        JSONValue.object([
            ("policy_domain", .string(summary.domain)),
            ("reports", .int(summary.reports)),
            ("reporter_count", .int(summary.reporters)),
            ("messages", .int(summary.messages)),
            ("dmarc_pass", .int(summary.dmarcPass)),
            ("dmarc_pass_rate", .rate(summary.rate(summary.dmarcPass))),
            ("spf_aligned", .int(summary.spfAligned)),
            ("spf_aligned_rate", .rate(summary.rate(summary.spfAligned))),
            ("dkim_aligned", .int(summary.dkimAligned)),
            ("dkim_aligned_rate", .rate(summary.rate(summary.dkimAligned))),
            (
                "dispositions",
                .object([
                    ("none", .int(summary.dispositionNone)),
                    ("quarantine", .int(summary.dispositionQuarantine)),
                    ("reject", .int(summary.dispositionReject)),
                ])
            ),
            (
                "top_failing_sources",
                .array(
                    summary.topFailingSources.map { source in
                        .object([
                            ("source_ip", .string(source.sourceIP)),
                            ("messages", .int(source.messages)),
                            ("header_from", .array(source.headerFrom.map { .string($0) })),
                        ])
                    })
            ),
        ])
    }

    static func csvDocument(_ summaries: [DomainSummary]) -> String {
        csv(
            [
                "policy_domain", "reports", "reporter_count", "messages", "dmarc_pass", "dmarc_pass_rate",
                "spf_aligned",
                "spf_aligned_rate", "dkim_aligned", "dkim_aligned_rate", "none", "quarantine", "reject",
                "top_failing_sources",
            ],
            summaries.map { summary in
                [
                    summary.domain, String(summary.reports), String(summary.reporters), String(summary.messages),
                    String(summary.dmarcPass), rateCell(summary.rate(summary.dmarcPass)), String(summary.spfAligned),
                    rateCell(summary.rate(summary.spfAligned)), String(summary.dkimAligned),
                    rateCell(summary.rate(summary.dkimAligned)), String(summary.dispositionNone),
                    String(summary.dispositionQuarantine), String(summary.dispositionReject),
                    summary.topFailingSources.map { "\($0.sourceIP)=\($0.messages)" }.joined(separator: ";"),
                ]
            })
    }

    private static func rateCell(_ rate: Double?) -> String {
        rate.map { String(($0 * 10_000).rounded() / 10_000) } ?? ""
    }
}
