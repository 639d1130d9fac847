import DomainAlignment
import ReportModel
import ReportStore

/// Builds `rua failures` from the stored records: each record's verdict recomputed, each record not
/// aligned on both SPF and DKIM classified, grouped by policy domain, source and class.
public enum FailureAnalyzer {
    /// Who the sources of `analysis` are: reverse DNS and the domains that passed DKIM and SPF for them.
    public static func identify(
        _ analysis: FailureAnalysis, with identifier: SourceIdentifier
    ) throws
        -> [String: SourceAttribution]
    {
        var domains: [String: (dkim: [String], spf: [String])] = [:]
        for group in analysis.groups {
            var entry = domains[group.sourceIP] ?? ([], [])
            entry.dkim += group.dkimDomains.filter { !entry.dkim.contains($0) }
            entry.spf += group.spfDomains.filter { !entry.spf.contains($0) }
            domains[group.sourceIP] = entry
        }
        return try identifier.identify(Array(Set(analysis.groups.map(\.sourceIP))).sorted(), authDomains: domains)
    }

    public static func analyze(_ database: ReportDatabase, _ filter: ReportFilter) throws -> FailureAnalysis {
        let classifier = FailureClassifier()
        var domains: [String: FailureAnalysis.DomainTotals] = [:]
        var groups: [GroupKey: GroupBuilder] = [:]
        var disagreements: [String: FailureAnalysis.Disagreement] = [:]
        try database.forEachRecord(filter) { context, stored in
            let record = stored.record
            let domain = context.policyDomain
            let verdict = RecordVerdict(
                reportedDKIM: record.dkim, reportedSPF: record.spf, facts: stored.facts,
                adkim: context.policy.adkim?.word, aspf: context.policy.aspf?.word)
            domains[domain, default: .init(policyDomain: domain)].messages &+= record.count
            if let disagreement = verdict.disagreement {
                var entry = disagreements[context.reporter] ?? .init(reporter: context.reporter)
                entry.records += 1
                entry.messages &+= record.count
                if disagreement == .unsupportedPass { entry.unsupportedPass += 1 } else { entry.contradictingFail += 1 }
                disagreements[context.reporter] = entry
            }
            guard let classification = classifier.classify(record, verdict: verdict) else { return }
            domains[domain]?.notFullyAligned &+= record.count
            if !verdict.dmarcPass { domains[domain]?.dmarcFail &+= record.count }
            let key = GroupKey(domain: domain, source: record.sourceIP, failureClass: classification.failureClass)
            groups[key, default: GroupBuilder()].add(record, verdict, classification, reporter: context.reporter)
        }
        let built = groups.map { key, builder in builder.group(key) }.sorted {
            ($0.messages, $1.policyDomain, $1.sourceIP, $1.failureClass) > (
                $1.messages, $0.policyDomain, $0.sourceIP, $0.failureClass
            )
        }
        return FailureAnalysis(
            domains: domains.values.sorted { ($0.messages, $1.policyDomain) > ($1.messages, $0.policyDomain) },
            groups: built,
            disagreements: disagreements.values.sorted { ($0.records, $1.reporter) > ($1.records, $0.reporter) })
    }

    private struct GroupKey: Hashable {
        var domain: String
        var source: String
        var failureClass: FailureClass
    }

    private struct GroupBuilder {
        var messages: Int64 = 0
        var dmarcFail: Int64 = 0
        var records = 0
        var reporters: Set<String> = []
        var headerFrom: Set<String> = []
        var evidence: [String: Int64] = [:]
        var fixes: [String: Int64] = [:]
        var dkimDomains: [String: Int64] = [:]
        var spfDomains: [String: Int64] = [:]

        mutating func add(
            _ record: ReportRecord, _ verdict: RecordVerdict, _ classification: FailureClassification,
            reporter: String
        ) {
            messages &+= record.count
            if !verdict.dmarcPass { dmarcFail &+= record.count }
            records += 1
            if reporters.count < 50 { reporters.insert(reporter) }
            if let from = record.headerFrom, headerFrom.count < 20 { headerFrom.insert(from.lowercased()) }
            // Weight by messages, so the evidence shown is what most of the traffic looked like.
            for line in classification.evidence where evidence.count < 200 || evidence[line] != nil {
                evidence[line, default: 0] &+= max(1, record.count)
            }
            if let fix = classification.fix { fixes[fix, default: 0] &+= max(1, record.count) }
            for result in record.dkimResults where result.result == .known(.pass) && dkimDomains.count < 20 {
                if let domain = result.domain?.lowercased() { dkimDomains[domain, default: 0] &+= record.count }
            }
            for result in record.spfResults where result.result == .known(.pass) && spfDomains.count < 20 {
                if let domain = (result.domain ?? record.envelopeFrom)?.lowercased() {
                    spfDomains[domain, default: 0] &+= record.count
                }
            }
        }

        private static func ranked(_ counts: [String: Int64]) -> [String] {
            counts.sorted { ($0.value, $1.key) > ($1.value, $0.key) }.map(\.key)
        }

        func group(_ key: GroupKey) -> FailureAnalysis.Group {
            var group = FailureAnalysis.Group(
                policyDomain: key.domain, sourceIP: key.source, failureClass: key.failureClass)
            group.messages = messages
            group.dmarcFail = dmarcFail
            group.records = records
            group.reporters = reporters.sorted()
            group.headerFrom = headerFrom.sorted()
            group.evidence = evidence.sorted { ($0.value, $1.key) > ($1.value, $0.key) }.prefix(4).map(\.key)
            group.fix = fixes.max { ($0.value, $1.key) < ($1.value, $0.key) }?.key
            group.dkimDomains = Self.ranked(dkimDomains)
            group.spfDomains = Self.ranked(spfDomains)
            return group
        }
    }
}
