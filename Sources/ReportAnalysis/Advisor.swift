import ReportModel

/// What needs attention in a digest, as data: each item a stable code, a severity, the domain (and the
/// source, MX host or reporter it is about), the numbers behind it and the sentence saying what to do.
/// Ranked by severity, then by the messages (or sessions) it concerns.
enum Advisor {
    /// Policy readiness needs this much evidence: days with reports, distinct reporters, messages.
    static let readinessDays = 14
    static let readinessReporters = 2
    static let readinessMessages = 1_000.0

    static func advice(for digest: Digest, policyHistory: [String: PolicyEvidence]) -> [Digest.Advice] {
        var advice: [Digest.Advice] = []
        for domain in digest.domains where domain.reports == 0 && domain.previous.messages > 0 {
            advice.append(
                .init(
                    code: "domain_silent", severity: .critical, policyDomain: domain.policyDomain,
                    numbers: [("previous_messages", domain.previous.messages)], weight: domain.previous.messages,
                    text:
                        "no report in the period, \(compact(domain.previous.messages)) messages reported in the one before: check the rua= record and the mailbox"
                ))
        }
        for domain in digest.domains where domain.totals.messages > 0 {
            var items = Self.domainAdvice(domain, evidence: policyHistory[domain.policyDomain])
            // A record change next to the pass-rate change it may explain.
            let changes = digest.recordChanges.filter { $0.domain == domain.policyDomain }
            for index in items.indices where items[index].code == "pass_rate_drop" && !changes.isEmpty {
                items[index].text +=
                    "; the DNS changed meanwhile: "
                    + changes.map { "\($0.summary) (\(digest.period.dayLabel($0.seen)))" }.joined(separator: "; ")
            }
            advice += items
        }
        for change in digest.recordChanges {
            advice.append(
                .init(
                    code: "dns_changed", severity: .notice, policyDomain: change.domain, numbers: [], weight: 0,
                    text: "\(change.summary) (seen by rua check on \(digest.period.dayLabel(change.seen)))"))
        }
        for source in digest.newSources where source.messages - source.dmarcPass >= 1 {
            let failing = source.messages - source.dmarcPass
            advice.append(
                .init(
                    code: "new_failing_source", severity: .warning, policyDomain: source.policyDomain,
                    sourceIP: source.sourceIP, numbers: [("messages", source.messages), ("dmarc_fail", failing)],
                    weight: failing,
                    text:
                        "new source \(source.sourceIP) sent \(compact(source.messages)) messages, \(compact(failing)) failing DMARC: identify it (rua failures --domain \(DomainName.shellWord(source.policyDomain)))"
                ))
        }
        for source in digest.startedFailing {
            let failing = source.messages - source.dmarcPass
            let before = source.earlierMessages > 0 ? source.earlierPass / source.earlierMessages : 0
            advice.append(
                .init(
                    code: "source_started_failing", severity: .warning, policyDomain: source.policyDomain,
                    sourceIP: source.sourceIP,
                    numbers: [("messages", source.messages), ("dmarc_fail", failing), ("earlier_pass_rate", before)],
                    weight: failing,
                    text:
                        "\(source.sourceIP) passed DMARC for \(percentText(before)) of its mail in the weeks before; now \(compact(failing)) of \(compact(source.messages)) fail: check its DKIM key and SPF"
                ))
        }
        for silent in digest.silentReporters {
            advice.append(
                .init(
                    code: "reporter_silent", severity: .warning, policyDomain: silent.policyDomain,
                    reporter: silent.reporter, numbers: [("earlier_reports", Double(silent.earlierReports))],
                    weight: Double(silent.earlierReports),
                    text:
                        "\(silent.reporter) sent \(silent.earlierReports) report\(silent.earlierReports == 1 ? "" : "s") in the four weeks before and none now: check the rua= address and the mailbox"
                ))
        }
        for tls in digest.tls {
            for failure in tls.byResultType.prefix(3) {
                let hosts = failure.mxHosts.joined(separator: ", ")
                advice.append(
                    .init(
                        code: "tls_failures", severity: .warning, policyDomain: tls.domain,
                        mxHost: failure.mxHosts.first,
                        numbers: [("sessions", Double(failure.sessions))], weight: Double(failure.sessions),
                        text:
                            "\(hosts.isEmpty ? "" : hosts + ": ")\(failure.key) in \(compact(Double(failure.sessions))) TLS session\(failure.sessions == 1 ? "" : "s"): \(TLSResultType.advice(for: failure.key, domain: tls.domain, mxHosts: failure.mxHosts))"
                    ))
            }
        }
        return advice.sorted {
            ($0.severity.rank, -$0.weight, $0.policyDomain, $0.code) < (
                $1.severity.rank, -$1.weight, $1.policyDomain, $1.code
            )
        }
    }

    static func domainAdvice(_ domain: Digest.Domain, evidence: PolicyEvidence?) -> [Digest.Advice] {
        var advice: [Digest.Advice] = []
        let name = domain.policyDomain
        let totals = domain.totals
        let rate = totals.rate(totals.dmarcPass) ?? 0
        if let change = domain.passRateChange, change <= -5 {
            let before = domain.previous.rate(domain.previous.dmarcPass) ?? 0
            advice.append(
                .init(
                    code: "pass_rate_drop", severity: change <= -10 ? .critical : .warning, policyDomain: name,
                    numbers: [
                        ("dmarc_pass_rate", rate), ("previous_dmarc_pass_rate", before), ("messages", totals.messages),
                    ],
                    weight: totals.dmarcFail,
                    text:
                        "DMARC pass rate fell from \(percentText(before)) to \(percentText(rate)) (\(points(change))): see rua failures --domain \(DomainName.shellWord(name))"
                ))
        }
        let failing = totals.dmarcFail
        let enforced = totals.quarantine + totals.reject
        if failing >= 1 && domain.policy.p?.word == Disposition.none {
            advice.append(
                .init(
                    code: "delivered_under_none", severity: .notice, policyDomain: name,
                    numbers: [("dmarc_fail", failing)], weight: failing,
                    text: "\(compact(failing)) messages failed DMARC and were delivered under p=none"))
        } else if failing >= 1 && enforced < failing * 0.5 && domain.policy.p?.word != nil {
            advice.append(
                .init(
                    code: "receivers_override", severity: .notice, policyDomain: name,
                    numbers: [("dmarc_fail", failing), ("enforced", enforced)], weight: failing - enforced,
                    text:
                        "only \(compact(enforced)) of \(compact(failing)) failing messages were quarantined or rejected (p=\(domain.policy.p?.text ?? "")): receivers overrode the policy, see override reasons in rua failures"
                ))
        }
        if let pct = domain.policy.pct, pct < 100, domain.policy.p?.word != Disposition.none {
            advice.append(
                .init(
                    code: "pct_below_100", severity: .info, policyDomain: name, numbers: [("pct", Double(pct))],
                    weight: totals.messages,
                    text:
                        "pct=\(pct): only \(pct)% of failing mail gets p=\(domain.policy.p?.text ?? ""); raise it to 100"
                ))
        }
        if let evidence { advice += readiness(domain, evidence) }
        return advice
    }

    /// The next policy step, only when the last 30 days show enough evidence: ≥ 14 days with reports,
    /// ≥ 2 reporters and ≥ 1,000 messages, aligned enough. The sentence states the evidence and what the
    /// step would affect (the period's messages that still fail).
    static func readiness(_ domain: Digest.Domain, _ evidence: PolicyEvidence) -> [Digest.Advice] {
        let name = domain.policyDomain
        guard let historyRate = evidence.totals.rate(evidence.totals.dmarcPass) else { return [] }
        let enough =
            evidence.days >= readinessDays && evidence.reporters >= readinessReporters
            && evidence.totals.messages >= readinessMessages
        let stated =
            "\(evidence.days) days with reports from \(evidence.reporters) reporter\(evidence.reporters == 1 ? "" : "s"), \(percentText(historyRate)) of \(compact(evidence.totals.messages)) messages aligned"
        let failing = domain.totals.dmarcFail
        let affected = failing >= 1 ? "; \(compact(failing)) messages of this period still fail and would be" : ""
        let numbers: [(String, Double)] = [
            ("days", Double(evidence.days)), ("reporters", Double(evidence.reporters)),
            ("messages", evidence.totals.messages), ("dmarc_pass_rate", historyRate), ("still_failing", failing),
        ]
        let policies = evidence.policies
        // The next step from the one policy reporters saw, and the aligned share it needs.
        let steps: [(from: String, to: String, done: String, rate: Double)] = [
            ("none", "quarantine", "quarantined", 0.98), ("quarantine", "reject", "rejected", 0.99),
        ]
        if let step = steps.first(where: { policies == [$0.from] }), historyRate >= step.rate {
            guard enough else { return [] }
            return [
                .init(
                    code: "ready_for_\(step.to)", severity: .info, policyDomain: name, numbers: numbers,
                    weight: evidence.totals.messages,
                    text:
                        "p=\(step.from) with \(stated): ready for p=\(step.to)\(affected.isEmpty ? "" : affected + " " + step.done); publish p=\(step.to); t=y first, then drop t=y (rua check --readiness)"
                )
            ]
        }
        if domain.policy.testing?.word == .yes && historyRate >= 0.98 && enough {
            return [
                .init(
                    code: "ready_to_drop_testing", severity: .info, policyDomain: name, numbers: numbers,
                    weight: evidence.totals.messages,
                    text:
                        "t=y (testing) with \(stated): receivers apply one level less than p=\(domain.policy.p?.text ?? ""); drop t=y"
                )
            ]
        }
        if policies == ["none"] && evidence.totals.messages >= readinessMessages {
            return [
                .init(
                    code: "fix_before_enforcing", severity: .notice, policyDomain: name, numbers: numbers,
                    weight: failing,
                    text: "p=none with \(stated): fix the failing sources before enforcing")
            ]
        }
        return []
    }
}

/// `99.6%`.
func percentText(_ rate: Double) -> String {
    String((rate * 1000).rounded() / 10) + "%"
}

/// `+1.5 points`, `-7.0 points`.
func points(_ change: Double) -> String {
    let rounded = (change * 10).rounded() / 10
    return (rounded >= 0 ? "+" : "") + String(rounded) + " points"
}

/// `950`, `12.3k`, `1.2M`: a message count in a sentence.
func compact(_ value: Double) -> String {
    let number = value.rounded()
    switch number {
    case 1_000_000...: return String((number / 100_000).rounded() / 10) + "M"
    case 10_000...: return String((number / 100).rounded() / 10) + "k"
    default: return String(Int64(saturating: number))
    }
}
