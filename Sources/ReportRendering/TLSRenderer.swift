import ReportModel

/// Output of `rua tls`.
public enum TLSRenderer {
    public static func render(_ summaries: [TLSDomainSummary], format: OutputFormat, context: OutputContext) -> String {
        switch format {
        case .text: text(summaries, period: context.periodLabel, colors: context.colors) + "\n"
        case .json: context.document(rows: summaries.map(json))
        case .ndjson: OutputContext.lines(summaries.map(json))
        case .csv: csvDocument(summaries)
        }
    }

    static func text(_ summaries: [TLSDomainSummary], period: String, colors: Bool = false) -> String {
        guard !summaries.isEmpty else { return "no TLS reports for \(period)" }
        var lines: [String] = []
        for summary in summaries {
            if !lines.isEmpty { lines.append("") }
            let domain = summary.domain.isEmpty ? "(reports without a policy domain)" : summary.domain
            lines.append("\(Escaping.terminal(domain))  (\(period))")
            lines.append(
                "  \(counted(summary.totalSessions, "session")) in "
                    + "\(counted(summary.reports, "report")) from \(Escaping.terminal(summary.reporters.joined(separator: ", ")))"
            )
            lines.append(
                "  succeeded \(grouped(summary.successfulSessions)), failed \(grouped(summary.failedSessions)): "
                    + Style.rate("\(percent(summary.successRate)) success", summary.successRate, colors))
            let modes = summary.modes.isEmpty ? "" : ", mode \(summary.modes.joined(separator: ", "))"
            lines.append("  policy \(Escaping.terminal(summary.policyTypes.joined(separator: ", ")))\(modes)")
            if summary.noPolicyFoundSessions > 0 {
                lines.append(
                    "  no-policy-found in \(counted(summary.noPolicyFoundSessions, "session")): publish an MTA-STS "
                        + "policy or DANE TLSA records to have TLS enforced")
            }
            if !summary.byResultType.isEmpty {
                lines.append("  failures by result type:")
                for failure in summary.byResultType {
                    let advice = TLSResultType.advice(
                        for: failure.key, domain: summary.domain, mxHosts: failure.mxHosts)
                    lines.append(
                        "    \(Escaping.terminal(failure.key))  \(grouped(failure.sessions)): \(Escaping.terminal(advice))"
                    )
                }
                lines.append("  failures by receiving MX:")
                lines.append(
                    contentsOf: summary.byMXHost.map { "    \(Escaping.terminal($0.key))  \(grouped($0.sessions))" })
                lines.append("  failures by sending MTA:")
                lines.append(
                    contentsOf: summary.bySendingIP.map { "    \(Escaping.terminal($0.key))  \(grouped($0.sessions))" })
            }
        }
        return lines.joined(separator: "\n")
    }

    static func json(_ summary: TLSDomainSummary) -> JSONValue {
        func failures(_ list: [TLSDomainSummary.Failure], advice: Bool) -> JSONValue {
            .array(
                list.map { failure in
                    var members: [(String, JSONValue)] = [
                        ("key", .string(failure.key)), ("sessions", .int(failure.sessions)),
                    ]
                    if advice {
                        members.append(("mx_hosts", .array(failure.mxHosts.map { .string($0) })))
                        members.append(
                            (
                                "advice",
                                .string(
                                    TLSResultType.advice(
                                        for: failure.key, domain: summary.domain, mxHosts: failure.mxHosts))
                            ))
                    }
                    return .object(members)
                })
        }
        return .object([
            ("policy_domain", .string(summary.domain)),
            ("reports", .int(summary.reports)),
            ("reporters", .array(summary.reporters.map { .string($0) })),
            ("successful_sessions", .int(summary.successfulSessions)),
            ("failed_sessions", .int(summary.failedSessions)),
            ("success_rate", .rate(summary.successRate)),
            ("policy_types", .array(summary.policyTypes.map { .string($0) })),
            ("modes", .array(summary.modes.map { .string($0) })),
            ("no_policy_found_sessions", .int(summary.noPolicyFoundSessions)),
            ("failures_by_result_type", failures(summary.byResultType, advice: true)),
            ("failures_by_mx_host", failures(summary.byMXHost, advice: false)),
            ("failures_by_sending_ip", failures(summary.bySendingIP, advice: false)),
        ])
    }

    static func csvDocument(_ summaries: [TLSDomainSummary]) -> String {
        csv(
            [
                "policy_domain", "reports", "reporters", "successful_sessions", "failed_sessions", "success_rate",
                "policy_types", "modes", "no_policy_found_sessions", "failures_by_result_type",
            ],
            summaries.map { summary in
                [
                    summary.domain, String(summary.reports), summary.reporters.joined(separator: ";"),
                    String(summary.successfulSessions), String(summary.failedSessions),
                    summary.successRate.map { String(($0 * 10_000).rounded() / 10_000) } ?? "",
                    summary.policyTypes.joined(separator: ";"), summary.modes.joined(separator: ";"),
                    String(summary.noPolicyFoundSessions),
                    summary.byResultType.map { "\($0.key)=\($0.sessions)" }.joined(separator: ";"),
                ]
            })
    }
}
