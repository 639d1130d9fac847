import ReportModel
import ReportStore

/// Judges whether a domain can tighten its DMARC policy, from its reports: what the stricter policy
/// would have done to the failing mail (split by the failure classes of `rua failures`), which own
/// senders must be fixed first, and the RFC 9989 staging step to publish next.
///
/// Thresholds (README, "Policy readiness"): evidence needs ``Advisor/readinessDays`` days with reports,
/// ``Advisor/readinessReporters`` reporters and ``Advisor/readinessMessages`` messages; an own sender
/// blocks when the mail it would lose is at least ``senderMinimum`` messages and ``senderShare`` of the
/// domain's.
public enum ReadinessAssessor {
    public static let senderMinimum: Int64 = 5
    public static let senderShare = 0.001
    /// Forwarded mail above this share of the domain's is worth a word before `p=reject`.
    public static let forwardedShare = 0.02
    public static var minimumDays: Int { Advisor.readinessDays }
    public static var minimumReporters: Int { Advisor.readinessReporters }
    public static var minimumMessages: Int64 { Int64(Advisor.readinessMessages) }

    /// Every domain with reports in `filter` (or `filter.domain`), by domain.
    public static func assess(_ database: ReportDatabase, _ filter: ReportFilter) throws -> [String: PolicyReadiness] {
        let history = try database.policyHistory(filter)
        let analysis = try FailureAnalyzer.analyze(database, filter)
        let policies = try database.currentPolicies(domain: filter.domain)
        var groups: [String: [FailureAnalysis.Group]] = [:]
        for group in analysis.groups { groups[group.policyDomain, default: []].append(group) }
        var result: [String: PolicyReadiness] = [:]
        for (domain, evidence) in history {
            result[domain] = assess(
                domain: domain, evidence: evidence, groups: groups[domain] ?? [], policy: policies[domain])
        }
        return result
    }

    /// Pure: the evidence, the failure groups of the same days and the current policy in, the judgement out.
    public static func assess(
        domain: String, evidence: PolicyEvidence?, groups: [FailureAnalysis.Group], policy: PublishedPolicy?
    ) -> PolicyReadiness {
        let messages = Int64(evidence?.totals.messages ?? 0)
        var readiness = PolicyReadiness(
            domain: domain, days: evidence?.days ?? 0, reporters: evidence?.reporters ?? 0, messages: messages,
            dmarcPass: Int64(evidence?.totals.dmarcPass ?? 0), verdict: .noReports)
        readiness.policy = policy
        var own: [String: PolicyReadiness.Sender] = [:]
        for group in groups where group.dmarcFail > 0 {
            switch group.failureClass {
            case .unauthorized:
                readiness.spoofing.messages += group.dmarcFail
                readiness.spoofing.sources += 1
            case .forwarded:
                readiness.forwarded.messages += group.dmarcFail
                readiness.forwarded.sources += 1
            case .misconfigured:
                readiness.misconfigured.messages += group.dmarcFail
                readiness.misconfigured.sources += 1
                var sender =
                    own[group.sourceIP]
                    ?? .init(sourceIP: group.sourceIP, name: nil, failing: 0, fix: group.fix)
                sender.failing += group.dmarcFail
                own[group.sourceIP] = sender
            }
        }
        let tolerance = max(senderMinimum, Int64((Double(messages) * senderShare).rounded(.up)))
        readiness.blocking = own.values.filter { $0.failing >= tolerance }.sorted {
            ($0.failing, $1.sourceIP) > ($1.failing, $0.sourceIP)
        }
        if readiness.days < minimumDays { readiness.shortfall.append(counted(readiness.days, "day")) }
        if readiness.reporters < minimumReporters {
            readiness.shortfall.append(counted(readiness.reporters, "reporter"))
        }
        if messages < minimumMessages {
            readiness.shortfall.append("\(messages.grouped) message\(messages == 1 ? "" : "s")")
        }

        let p = policy?.p ?? "none"
        let testing = policy?.testing == "y"
        let legacyPct = (policy?.pct ?? 100) < 100
        switch (p, testing) {
        case ("reject", false): readiness.nextStep = legacyPct ? "p=reject (drop pct=; RFC 9989 removed it)" : nil
        case ("reject", true): readiness.nextStep = "p=reject (t=y dropped: receivers reject instead of quarantining)"
        case ("quarantine", true):
            readiness.nextStep = "p=quarantine (t=y dropped: receivers quarantine instead of delivering)"
        case ("quarantine", false):
            readiness.nextStep =
                "p=reject; t=y (receivers still quarantine; intermediaries prepare for reject)"
                + (legacyPct ? ", dropping pct=" : "")
        default:
            readiness.nextStep =
                "p=quarantine; t=y (receivers still deliver; mailing lists start rewriting From), then p=quarantine"
        }
        if policy?.np == nil && (p != "none" || readiness.nextStep != nil) {
            readiness.subdomainStep = "np=reject: names under \(domain) that do not exist send no legitimate mail"
        } else if let sp = policy?.sp, p != "none", sp == "none" {
            readiness.subdomainStep =
                "sp=none leaves existing subdomains unprotected: raise sp once their senders pass"
        }

        if messages == 0 {
            readiness.verdict = .noReports
        } else if p == "reject" && !testing {
            readiness.verdict = .enforced
        } else if !readiness.shortfall.isEmpty {
            readiness.verdict = .notEnoughEvidence
        } else if !readiness.blocking.isEmpty {
            readiness.verdict = .readyAfterFixes
        } else {
            readiness.verdict = .ready
        }
        return readiness
    }

    public static func counted(_ count: Int, _ noun: String) -> String { "\(count) \(noun)\(count == 1 ? "" : "s")" }
}
