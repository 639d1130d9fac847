import ReportModel
import ReportStore

/// Builds `rua digest` from the rollups: the period against the one before, what changed against the
/// four weeks before, TLS, advice and data health.
public enum DigestBuilder {
    /// Weeks before the period in which a source counts as known and a reporter as expected.
    public static let historyDays = 28

    /// Builds the digest from one read transaction, so its figures agree with each other even while
    /// imports run; then, when an identifier is given, identifies the sources it lists.
    public static func build(
        _ database: ReportDatabase, period: ReportPeriod, domain: String? = nil,
        identifier: SourceIdentifier? = nil
    ) throws -> Digest {
        var digest = try database.snapshot { try build(from: database, period: period, domain: domain) }
        if let identifier {
            let listed = digest.newSources + digest.startedFailing
            let addresses = Array(Set(listed.map(\.sourceIP))).sorted()
            let policyDomains = Dictionary(listed.map { ($0.sourceIP, $0.policyDomain) }) { first, _ in first }
            let domains = try database.passingAuthDomains(
                period.filter(domain: domain), addresses: addresses, policyDomains: policyDomains)
            digest.attributions = try identifier.identify(addresses, authDomains: domains)
        }
        return digest
    }

    private static func build(from database: ReportDatabase, period: ReportPeriod, domain: String?) throws -> Digest {
        let previousPeriod = period.previous
        var digest = Digest(period: period, previousPeriod: previousPeriod)
        let dayStarts = period.dayStarts
        let emptyDays = dayStarts.map { Digest.Day(start: $0, label: period.dayLabel($0), messages: 0, dmarcPass: 0) }
        var domains: [String: Digest.Domain] = [:]
        var reporters: [String: Set<String>] = [:]
        try database.forEachReportTotals(period.filter(domain: domain)) { report in
            var entry = domains[report.policyDomain] ?? Digest.Domain(policyDomain: report.policyDomain)
            if entry.days.isEmpty { entry.days = emptyDays }
            entry.reports += 1
            entry.totals += report.totals
            // Reports arrive oldest first: the last one seen carries the latest published policy.
            entry.policy = report.policy
            let p = report.policy.p?.text ?? "(not reported)"
            if !entry.policiesSeen.contains(p) { entry.policiesSeen.append(p) }
            for (day, share) in period.apportion(begin: report.begin, end: report.end, dayStarts: dayStarts) {
                entry.days[day].messages += report.totals.messages * share
                entry.days[day].dmarcPass += report.totals.dmarcPass * share
            }
            reporters[report.policyDomain, default: []].insert(report.reporter)
            domains[report.policyDomain] = entry
        }
        try database.forEachReportTotals(previousPeriod.filter(domain: domain)) { report in
            var entry = domains[report.policyDomain] ?? Digest.Domain(policyDomain: report.policyDomain)
            entry.previous += report.totals
            domains[report.policyDomain] = entry
        }
        for (domain, names) in reporters { domains[domain]?.reporters = names.sorted() }
        digest.domains = domains.values.sorted {
            ($0.totals.messages, $1.policyDomain) > ($1.totals.messages, $0.policyDomain)
        }

        let history = period.preceding(days: historyDays)
        let filter = period.filter(domain: domain)
        let historyFilter = history.filter(domain: domain)
        var newSources = TopSources(limit: 25)
        var startedFailing = TopSources(limit: 25)
        try database.forEachSourceHistory(
            filter, earlier: historyFilter, failing: (minimumFailing, minimumFailingShare)
        ) { source in
            if !source.seenBefore {
                newSources.add(source)
            } else if Self.startedFailing(source) {
                startedFailing.add(source)
            }
        }
        digest.newSources = newSources.ranked
        digest.startedFailing = startedFailing.ranked
        digest.silentReporters = try database.silentReporters(filter, earlier: historyFilter)
        digest.tls = try database.tlsSummary(filter, top: 5)
        digest.health = try database.dataHealth(importedFrom: period.start, to: period.end - 1, reports: filter)
        let thirtyDays = ReportPeriod(start: period.end - 30 * 86_400, end: period.end, timeZone: period.timeZone)
        let policyHistory = try database.policyHistory(thirtyDays.filter(domain: domain))
        digest.recordChanges = try database.recordChanges(
            start: previousPeriod.start, end: period.end, domain: domain)
        digest.advice = Advisor.advice(for: digest, policyHistory: policyHistory)
        return digest
    }

    /// Most messages failing DMARC first, then most messages, then by name.
    static func mostFailingFirst(_ a: SourceActivity, _ b: SourceActivity) -> Bool {
        (a.messages - a.dmarcPass, a.messages, b.policyDomain, b.sourceIP)
            > (b.messages - b.dmarcPass, b.messages, a.policyDomain, a.sourceIP)
    }

    static let minimumFailing = 10.0
    static let minimumFailingShare = 0.1

    /// A source that passed DMARC for at least 90% of its mail in the weeks before and fails for at
    /// least 10% of it (and at least 10 messages) now.
    static func startedFailing(_ source: SourceActivity) -> Bool {
        guard source.seenBefore, source.earlierMessages > 0, source.messages > 0 else { return false }
        let failing = source.messages - source.dmarcPass
        return source.earlierPass / source.earlierMessages >= 0.9 && failing >= minimumFailing
            && failing / source.messages >= minimumFailingShare
    }
}

/// The first sources by ``DigestBuilder/mostFailingFirst(_:_:)`` among any number offered, holding at most
/// twice as many as it keeps.
struct TopSources {
    let limit: Int
    private var sources: [SourceActivity] = []

    init(limit: Int) {
        self.limit = limit
    }

    mutating func add(_ source: SourceActivity) {
        sources.append(source)
        if sources.count >= 2 * limit { trim() }
    }

    var ranked: [SourceActivity] {
        var copy = self
        copy.trim()
        return copy.sources
    }

    private mutating func trim() {
        sources.sort(by: DigestBuilder.mostFailingFirst)
        if sources.count > limit { sources.removeLast(sources.count - limit) }
    }
}
