import ReportModel

/// Turns a digest and the domains' report cadence into alerts, by the thresholds.
public enum AlertRules {
    /// Cadence is judged over this many days before now; a domain needs reports on this many of them
    /// before its silence means something.
    public static let cadenceDays = 28
    static let regularDays = 4
    static let day: Int64 = 86_400

    public static func alerts(
        digest: Digest, cadence: [ReportCadence], thresholds: AlertThresholds, now: Int64
    ) -> [Alert] {
        var alerts: [Alert] = []
        for domain in digest.domains {
            guard let change = domain.passRateChange, -change >= thresholds.passRateDrop,
                domain.totals.messages >= thresholds.minimumMessages
            else { continue }
            let rate = domain.totals.rate(domain.totals.dmarcPass) ?? 0
            let before = domain.previous.rate(domain.previous.dmarcPass) ?? 0
            alerts.append(
                Alert(
                    code: "pass_rate_drop", policyDomain: domain.policyDomain,
                    numbers: [
                        ("dmarc_pass_rate", rate), ("previous_dmarc_pass_rate", before),
                        ("messages", domain.totals.messages),
                    ],
                    text:
                        "DMARC pass rate fell from \(percentText(before)) to \(percentText(rate)) over \(compact(domain.totals.messages)) messages"
                ))
        }
        for (code, sources, what) in [
            ("new_failing_source", digest.newSources, "new source"),
            ("source_started_failing", digest.startedFailing, "source that passed before"),
        ] {
            for source in sources {
                let failing = source.messages - source.dmarcPass
                guard failing >= thresholds.failingSourceMessages else { continue }
                alerts.append(
                    Alert(
                        code: code, policyDomain: source.policyDomain, subject: source.sourceIP,
                        numbers: [("messages", source.messages), ("dmarc_fail", failing)],
                        text:
                            "\(what) \(source.sourceIP): \(compact(failing)) of \(compact(source.messages)) messages fail DMARC"
                    ))
            }
        }
        for tls in digest.tls {
            let total = tls.successfulSessions + tls.failedSessions
            guard total >= thresholds.minimumSessions, total > 0 else { continue }
            let rate = Double(tls.failedSessions) / Double(total)
            guard rate >= thresholds.tlsFailureRate else { continue }
            let cause = tls.byResultType.first.map { ", mostly \($0.key)" } ?? ""
            alerts.append(
                Alert(
                    code: "tls_failure_rate", policyDomain: tls.domain,
                    numbers: [("failed_sessions", Double(tls.failedSessions)), ("sessions", Double(total))],
                    text:
                        "\(percentText(rate)) of \(compact(Double(total))) TLS sessions failed\(cause) (rua tls --domain \(DomainName.shellWord(tls.domain)))"
                ))
        }
        let late = thresholds.heartbeat ? heartbeats(cadence, now: now) : []
        alerts += late
        // A domain whose reports stopped altogether alerts once, not once more per reporter.
        let lateDomains = Set(late.map(\.policyDomain))
        for silent in digest.silentReporters where !lateDomains.contains(silent.policyDomain) {
            alerts.append(
                Alert(
                    code: "reporter_silent", policyDomain: silent.policyDomain, subject: silent.reporter,
                    numbers: [("earlier_reports", Double(silent.earlierReports))],
                    text:
                        "\(silent.reporter) sent \(silent.earlierReports) reports in the four weeks before and none in \(digest.period.label)"
                ))
        }
        return alerts
    }

    /// A domain whose reports came on at least ``regularDays`` of the last ``cadenceDays`` days is late
    /// when its last report ended more than twice its usual interval ago (the days from its first to its
    /// last report day, over the gaps between report days), plus a day for reports to travel (a day's
    /// report is sent the day after).
    static func heartbeats(_ cadence: [ReportCadence], now: Int64) -> [Alert] {
        cadence.compactMap { domain in
            guard domain.reportDays >= regularDays else { return nil }
            let interval = max(day, (domain.lastDay - domain.firstDay) * day / Int64(domain.reportDays - 1))
            let allowed = 2 * interval + day
            let silence = now - domain.lastEnd
            guard silence > allowed else { return nil }
            let days = Double(silence) / Double(day)
            return Alert(
                code: "heartbeat_missed", policyDomain: domain.policyDomain,
                numbers: [
                    ("days_since_last_report", (days * 10).rounded() / 10),
                    ("usual_interval_days", (Double(interval) / Double(day) * 10).rounded() / 10),
                    ("report_days", Double(domain.reportDays)),
                ],
                text:
                    "no report for \(Int(days)) days; reports came on \(domain.reportDays) of the last \(cadenceDays) days: check the rua= record and the mailbox"
            )
        }
    }
}
