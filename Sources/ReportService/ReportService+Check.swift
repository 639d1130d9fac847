import DomainAlignment
import DomainCheck
import ReportAnalysis
import ReportModel
import ReportStore
import SenderAttribution

extension ReportService {
    /// Every policy domain the database has reports for (`rua check --all`).
    public func policyDomains() throws -> [String] {
        try database.policyDomains()
    }

    /// DKIM selectors the reports of the last 90 days show signing for `domain`.
    public func dkimSelectors(_ domain: String, now: Int64) throws -> [DomainChecker.Selector] {
        try database.dkimSelectors(domain: domain, since: now - 90 * 86_400).map {
            DomainChecker.Selector(domain: $0.domain, selector: $0.selector, lastSeen: $0.lastSeen)
        }
    }

    /// Checks the domains' mail DNS (DMARC, SPF, DKIM, MX and PTR, TLS-RPT) against `server` (or the
    /// system's resolver). DKIM: the selectors the reports in `database` show, and `extraSelectors`.
    public static func checkDomains(
        _ domains: [String], extraSelectors: [String], database: ReportService?, server: String?,
        timeoutMilliseconds: Int32, now: Int64, caFile: String? = nil, recordHistory: Bool = true
    ) throws -> [Check] {
        func selectors(_ domain: String) throws -> [DomainChecker.Selector] {
            var found = try database?.dkimSelectors(domain, now: now) ?? []
            for selector in extraSelectors.map({ $0.lowercased() })
            where !found.contains(where: { $0.selector == selector && $0.domain == domain }) {
                found.append(DomainChecker.Selector(domain: domain, selector: selector, lastSeen: nil))
            }
            return found
        }
        // A-labels for DNS: a domain given in Unicode is checked as it is looked up.
        let names = domains.compactMap(OrganizationalDomains.normalize)
        let since = now - 30 * 86_400
        let tls = try database?.database.tlsEvidence(since: since)
        // Many domains: one pass over the rollup finds the senders of them all.
        let allSenders = names.count >= 20 ? try database?.database.sendersMissingFromSPF(since: since, limit: 10) : nil
        let jobs = try names.map { domain in
            let senders =
                try allSenders.map { $0[domain] ?? [] }
                ?? database?.database.sendersMissingFromSPF(domain: domain, since: since, limit: 10) ?? []
            return DomainChecker.Job(
                domain: domain, selectors: try selectors(domain),
                unlistedSenders: senders.map { DomainChecker.UnlistedSender(source: $0.source, messages: $0.messages) },
                tls: database == nil ? nil : tls?[domain] ?? TLSEvidence(lastReport: nil))
        }
        // With a DNS server of its own, the MTA-STS policy is fetched from the address that server gives.
        let results = try DomainChecker.check(
            jobs, workers: checkWorkers,
            dns: DNSConfiguration(server: server, timeoutMilliseconds: max(100, timeoutMilliseconds)), now: now,
            caFile: caFile, policyAddressFromCheckDNS: server != nil)
        guard let database else { return results.flatMap { $0 } }
        // Many domains: one pass over the reports judges them all.
        let judged =
            names.count >= 20
            ? Dictionary(
                try database.readiness([], days: 30, now: now).map { ($0.domain, $0) }, uniquingKeysWith: { a, _ in a })
            : Dictionary(
                try database.readiness(names, days: 30, now: now).map { ($0.domain, $0) },
                uniquingKeysWith: { a, _ in a })
        return try zip(names, results).flatMap { domain, checks in
            withChanges(
                withEvidence(checks, judged[domain], now: now),
                try database.database.recordDNS(
                    domain: domain, records: checks.flatMap(\.records), at: now, store: recordHistory))
        }
    }

    /// Domains checked at once: DNS answers are waited for, not computed, so more workers than cores.
    static let checkWorkers = 32

    /// Each record change said under the check that read the record.
    static func withChanges(_ checks: [Check], _ changes: [RecordChange]) -> [Check] {
        guard !changes.isEmpty else { return checks }
        return checks.map { check in
            var check = check
            for change in changes where check.records.contains(where: { $0.kind == change.kind }) {
                check.evidence.append(
                    (
                        "changed",
                        "\(change.summary) (seen on \(DomainChecker.day(change.seen)); the check of \(DomainChecker.day(change.lastSeenBefore)) saw the old one)"
                    ))
            }
            return check
        }
    }

    /// `p=none` judged with the reports: how long the reports have shown it, and whether they show the
    /// domain ready to enforce.
    static func withEvidence(_ checks: [Check], _ readiness: PolicyReadiness?, now: Int64) -> [Check] {
        guard let readiness, readiness.messages > 0 else { return checks }
        return checks.map { check in
            guard check.id == "dmarc.policy", check.evidence.contains(where: { $0 == ("p", "none") }) else {
                return check
            }
            var check = check
            let judged = readinessCheck(readiness, days: 30)
            if let since = readiness.policy?.since, readiness.policy?.p ?? "none" == "none" {
                let days = (now - since) / 86_400
                check.message +=
                    "; the reports show p=none for \(days) day\(days == 1 ? "" : "s") (since \(DomainChecker.day(since)))"
                check.evidence.append(("none_since", DomainChecker.day(since)))
            }
            check.message += "; readiness: " + judged.message
            if let fix = judged.fix { check.fix = fix }
            check.evidence.append(("readiness", readiness.verdict.rawValue))
            return check
        }
    }
}

extension ReportService {
    /// Policy readiness of `domains` (every domain with reports when empty) from the `days` before `now`.
    public func readiness(_ domains: [String], days: Int, now: Int64) throws -> [PolicyReadiness] {
        let since = now - Int64(days) * 86_400
        if domains.isEmpty {
            return try ReadinessAssessor.assess(database, ReportFilter(since: since)).values.sorted {
                $0.domain < $1.domain
            }
        }
        return try domains.map { domain in
            try ReadinessAssessor.assess(database, ReportFilter(domain: domain, since: since))[domain]
                ?? ReadinessAssessor.assess(
                    domain: domain, evidence: nil, groups: [],
                    policy: try database.currentPolicies(domain: domain)[domain])
        }
    }

    /// `dmarc.readiness`: the judgement as a check line, with its numbers as evidence.
    public static func readinessCheck(_ readiness: PolicyReadiness, days: Int) -> Check {
        let r = readiness
        let rate = r.messages > 0 ? Double(r.dmarcPass) / Double(r.messages) : 0
        let stated =
            "\(ReadinessAssessor.counted(r.days, "day")) with reports from \(ReadinessAssessor.counted(r.reporters, "reporter")), \(percent(rate)) of \(r.messages.grouped) messages passing DMARC"
        let stricter = r.policy?.p == "quarantine" ? "reject" : "quarantine"
        let affected =
            "\(stricter) would have stopped \(r.dmarcFail.grouped) messages: \(r.spoofing.messages.grouped) spoofing or unauthorized (\(ReadinessAssessor.counted(r.spoofing.sources, "source"))), \(r.forwarded.messages.grouped) forwarded or from mailing lists (\(ReadinessAssessor.counted(r.forwarded.sources, "source"))), \(r.misconfigured.messages.grouped) from own misconfigured senders (\(ReadinessAssessor.counted(r.misconfigured.sources, "source")))"
        let status: Check.Status
        let message: String
        var fix: String?
        switch r.verdict {
        case .noReports:
            status = .warning
            message = "not enough evidence: no report in the last \(days) days"
            fix = "check that the rua= address receives reports and that they are imported"
        case .notEnoughEvidence:
            status = .warning
            message =
                "not enough evidence: \(r.shortfall.joined(separator: ", ")) in the last \(days) days (needs \(ReadinessAssessor.minimumDays) days, \(ReadinessAssessor.minimumReporters) reporters, \(ReadinessAssessor.minimumMessages.grouped) messages)"
            fix = "wait for more reports before tightening the policy"
        case .enforced:
            status = r.blocking.isEmpty ? .pass : .warning
            message =
                "p=reject is enforced; in the last \(days) days \(stated); it stopped \(r.dmarcFail.grouped) messages"
                + (r.blocking.isEmpty ? "" : ", \(r.misconfigured.messages) of them from own senders")
            fix = r.blocking.isEmpty ? nil : "fix the own senders listed"
        case .readyAfterFixes:
            status = .warning
            message =
                "ready after fixing \(r.blocking.count == 1 ? "this sender" : "these \(r.blocking.count) senders"): \(stated); \(affected)"
            fix = "fix the senders listed first (rua failures --domain \(r.domain)), then take the next step"
        case .ready:
            status = .pass
            message = "ready: \(stated); \(affected)"
            fix = r.nextStep.map { "publish " + $0 }
        }
        var evidence: [(String, String)] = [
            ("verdict", r.verdict.rawValue), ("policy", r.policy?.text ?? ""), ("days", String(r.days)),
            ("reporters", String(r.reporters)), ("messages", String(r.messages)),
            ("dmarc_pass_rate", String((rate * 10_000).rounded() / 10_000)),
            ("spoofing_messages", String(r.spoofing.messages)), ("spoofing_sources", String(r.spoofing.sources)),
            ("forwarded_messages", String(r.forwarded.messages)), ("forwarded_sources", String(r.forwarded.sources)),
            ("misconfigured_messages", String(r.misconfigured.messages)),
            ("misconfigured_sources", String(r.misconfigured.sources)),
        ]
        if let since = r.policy?.since { evidence.append(("policy_since", DomainChecker.day(since))) }
        for (index, sender) in r.blocking.prefix(10).enumerated() {
            evidence.append(
                (
                    "sender_\(index + 1)",
                    "\(sender.sourceIP): \(sender.failing) failing" + (sender.fix.map { "; \($0)" } ?? "")
                ))
        }
        if let next = r.nextStep, r.verdict != .noReports { evidence.append(("next_step", next)) }
        if let sub = r.subdomainStep, r.verdict != .noReports { evidence.append(("subdomains", sub)) }
        if r.forwarded.messages > 0,
            Double(r.forwarded.messages) >= Double(r.messages) * ReadinessAssessor.forwardedShare
        {
            evidence.append(
                (
                    "forwarding",
                    "\(r.forwarded.messages) forwarded messages fail DMARC: receivers that trust ARC or the forwarder deliver them anyway, the rest would be lost under p=reject"
                ))
        }
        return Check(
            id: "dmarc.readiness", domain: r.domain, status: status, message: message, fix: fix, evidence: evidence)
    }

    static func percent(_ rate: Double) -> String { String((rate * 1000).rounded() / 10) + "%" }
}
