import Prometheus
import ReportModel

/// `/metrics` in Prometheus' text format: per policy domain the messages, DMARC passes, aligned SPF and
/// DKIM of every counted report (counters: they only grow as reports arrive), the last day's failing
/// messages by class, TLS sessions by result, the seconds since the last report per domain and reporter
/// (a heartbeat alert is one rule on it), and the intake's outcomes since the server started.
enum Metrics {
    static func exposition(
        totals: (
            domains: [DomainSummary],
            tls: [(domain: String, result: String, sessions: Int64)],
            last: [(domain: String, reporter: String?, end: Int64)]
        ), failing: FailureAnalysis, intake: [String: Int64], now: Int64
    ) -> [UInt8] {
        let registry = PrometheusCollectorRegistry()
        for t in totals.domains {
            let labels = [("domain", t.domain)]
            for (name, value, help) in [
                ("rua_dmarc_messages_total", t.messages, "Messages in counted DMARC aggregate reports"),
                ("rua_dmarc_pass_messages_total", t.dmarcPass, "Messages passing DMARC (the reporters' verdicts)"),
                ("rua_spf_aligned_messages_total", t.spfAligned, "Messages with aligned SPF"),
                ("rua_dkim_aligned_messages_total", t.dkimAligned, "Messages with aligned DKIM"),
                ("rua_quarantined_messages_total", t.dispositionQuarantine, "Messages the receivers quarantined"),
                ("rua_rejected_messages_total", t.dispositionReject, "Messages the receivers rejected"),
            ] {
                registry.makeCounter(name: name, labels: labels, help: help).increment(by: value)
            }
        }
        var byClass: [String: [FailureClass: Int64]] = [:]
        for group in failing.groups {
            byClass[group.policyDomain, default: [:]][group.failureClass, default: 0] += group.dmarcFail
        }
        for (domain, classes) in byClass {
            for failureClass in FailureClass.allCases {
                registry.makeGauge(
                    name: "rua_dmarc_failing_messages_last_day",
                    labels: [("domain", domain), ("class", failureClass.rawValue)],
                    help: "Messages failing DMARC in the reports of the last 24 hours, by failure class"
                ).set(Double(classes[failureClass] ?? 0))
            }
        }
        for (domain, result, sessions) in totals.tls {
            registry.makeCounter(
                name: "rua_tls_sessions_total", labels: [("domain", domain), ("result", result)],
                help: "SMTP TLS sessions in counted TLS reports, by result (success or the failure's result type)"
            ).increment(by: sessions)
        }
        var lastByDomain: [String: Int64] = [:]
        for (domain, reporter, end) in totals.last {
            if let reporter {
                registry.makeGauge(
                    name: "rua_seconds_since_last_report", labels: [("domain", domain), ("reporter", reporter)],
                    help: "Seconds since the end of the last DMARC report of this reporter for this domain"
                ).set(Double(now - end))
                lastByDomain[domain] = max(lastByDomain[domain] ?? .min, end)
            } else {
                registry.makeGauge(
                    name: "rua_seconds_since_last_tls_report", labels: [("domain", domain)],
                    help: "Seconds since the end of the last TLS report for this domain"
                ).set(Double(now - end))
            }
        }
        for (domain, end) in lastByDomain {
            registry.makeGauge(
                name: "rua_seconds_since_last_dmarc_report", labels: [("domain", domain)],
                help: "Seconds since the end of the last DMARC report for this domain, any reporter"
            ).set(Double(now - end))
        }
        for outcome in ["stored", "duplicate", "rejected", "refused", "too_large", "rate_limited", "failed"] {
            registry.makeCounter(
                name: "rua_intake_requests_total", labels: [("outcome", outcome)],
                help: "HTTP intake requests (POST /tlsrpt, /upload) since rua serve started, by outcome"
            ).increment(by: intake[outcome] ?? 0)
        }
        return registry.emitToBuffer()
    }
}
