import ReportModel

/// One-line recommendations with the numbers behind them.
enum Advisor {
    static func advice(
        for digest: Digest, policyHistory: [String: (MessageTotals, [String], Int64)]
    ) -> [Digest.Advice] {
        var advice: [Digest.Advice] = []
        for domain in digest.domains where domain.totals.messages > 0 {
            let name = domain.policyDomain
            let totals = domain.totals
            let rate = totals.rate(totals.dmarcPass) ?? 0
            if let (history, policies, first) = policyHistory[name], let historyRate = history.rate(history.dmarcPass) {
                let days = max(1, Int((digest.period.end - first + 43_199) / 86_400))
                let span = "\(days) day\(days == 1 ? "" : "s")"
                let volume = "\(percentText(historyRate)) of \(compact(history.messages)) messages aligned"
                if policies == ["none"] && historyRate >= 0.98 {
                    advice.append(
                        .init(policyDomain: name, text: "p=none for \(span), \(volume): ready for p=quarantine"))
                } else if policies == ["quarantine"] && historyRate >= 0.99 {
                    advice.append(
                        .init(policyDomain: name, text: "p=quarantine for \(span), \(volume): ready for p=reject"))
                } else if policies == ["none"] {
                    advice.append(
                        .init(
                            policyDomain: name,
                            text: "p=none for \(span), only \(volume): fix the failing sources before enforcing"))
                }
            }
            if let pct = domain.policy.pct, pct < 100, domain.policy.p?.word != Disposition.none {
                advice.append(
                    .init(
                        policyDomain: name,
                        text:
                            "pct=\(pct): only \(pct)% of failing mail gets p=\(domain.policy.p?.text ?? ""); raise it to 100"
                    ))
            }
            if domain.policy.testing?.word == .yes {
                advice.append(
                    .init(
                        policyDomain: name,
                        text: "t=y (testing): receivers apply one level less than p=\(domain.policy.p?.text ?? "")"))
            }
            if let change = domain.passRateChange, change <= -5 {
                let before = domain.previous.rate(domain.previous.dmarcPass) ?? 0
                advice.append(
                    .init(
                        policyDomain: name,
                        text:
                            "DMARC pass rate fell from \(percentText(before)) to \(percentText(rate)) (\(points(change))): see rua failures --domain \(DomainName.shellWord(name))"
                    ))
            }
            let failing = totals.dmarcFail
            let enforced = totals.quarantine + totals.reject
            if failing >= 1 && domain.policy.p?.word == Disposition.none {
                advice.append(
                    .init(
                        policyDomain: name,
                        text: "\(compact(failing)) messages failed DMARC and were delivered under p=none"))
            } else if failing >= 1 && enforced < failing * 0.5 && domain.policy.p?.word != nil {
                advice.append(
                    .init(
                        policyDomain: name,
                        text:
                            "only \(compact(enforced)) of \(compact(failing)) failing messages were quarantined or rejected (p=\(domain.policy.p?.text ?? "")): receivers overrode the policy, see override reasons in rua failures"
                    ))
            }
        }
        for source in digest.newSources.prefix(3) where source.messages - source.dmarcPass >= 1 {
            advice.append(
                .init(
                    policyDomain: source.policyDomain,
                    text:
                        "new source \(source.sourceIP) sent \(compact(source.messages)) messages, \(compact(source.messages - source.dmarcPass)) failing DMARC: identify it (rua failures --domain \(DomainName.shellWord(source.policyDomain)))"
                ))
        }
        for silent in digest.silentReporters.prefix(3) {
            advice.append(
                .init(
                    policyDomain: silent.policyDomain,
                    text:
                        "\(silent.reporter) sent \(silent.earlierReports) report\(silent.earlierReports == 1 ? "" : "s") in the four weeks before and none now: check the rua= address and the mailbox"
                ))
        }
        for tls in digest.tls {
            for failure in tls.byResultType.prefix(2) {
                let hosts = failure.mxHosts.isEmpty ? "" : failure.mxHosts.joined(separator: ", ") + ": "
                advice.append(
                    .init(
                        policyDomain: tls.domain,
                        text:
                            "\(hosts)\(failure.key) in \(compact(Double(failure.sessions))) TLS session\(failure.sessions == 1 ? "" : "s")"
                    ))
            }
        }
        return advice
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
