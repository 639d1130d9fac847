import ReportModel

/// Recomputes alignment from a record's `auth_results`.
public struct AlignmentCheck: Sendable {
    private let domains: OrganizationalDomains

    public init(domains: OrganizationalDomains = .shared) {
        self.domains = domains
    }

    public func facts(for record: ReportRecord) -> AlignmentFacts {
        var facts: AlignmentFacts = []
        if !record.dkimResults.isEmpty { facts.insert(.hasDKIMResults) }
        if !record.spfResults.isEmpty { facts.insert(.hasSPFResults) }
        let author = OrganizationalDomains.normalize(record.headerFrom)
        let authorOrg = domains.organizationalDomain(of: author)
        for result in record.dkimResults where result.result == .known(.pass) {
            guard let domain = OrganizationalDomains.normalize(result.domain) else { continue }
            facts.insert(.dkimPassedAny)
            insert(domain, author: author, authorOrg: authorOrg, strict: .dkimStrict, relaxed: .dkimRelaxed, &facts)
        }
        let envelope = OrganizationalDomains.normalize(record.envelopeFrom)
        for result in record.spfResults where result.result == .known(.pass) {
            // HELO only stands in for a null reverse-path; an unknown scope is read as MAIL FROM.
            if result.scope == .known(.helo) && envelope != nil { continue }
            guard let domain = OrganizationalDomains.normalize(result.domain) ?? envelope else { continue }
            facts.insert(.spfPassedAny)
            insert(domain, author: author, authorOrg: authorOrg, strict: .spfStrict, relaxed: .spfRelaxed, &facts)
        }
        return facts
    }

    private func insert(
        _ domain: String, author: String?, authorOrg: String?, strict: AlignmentFacts, relaxed: AlignmentFacts,
        _ facts: inout AlignmentFacts
    ) {
        guard let author else { return }
        if domain == author, authorOrg != nil || !domains.isPublicSuffix(author) {
            facts.insert(strict)
            facts.insert(relaxed)
        } else if let authorOrg, domains.organizationalDomain(of: domain) == authorOrg {
            facts.insert(relaxed)
        }
    }

    /// True when `a` and `b` (raw) align under `mode`: identical when strict, the same Organizational
    /// Domain when relaxed.
    public func aligned(_ a: String?, _ b: String?, mode: AlignmentMode?) -> Bool {
        guard let a = OrganizationalDomains.normalize(a), let b = OrganizationalDomains.normalize(b) else {
            return false
        }
        if mode == .strict { return a == b && !domains.isPublicSuffix(a) }
        guard let org = domains.organizationalDomain(of: a) else { return false }
        return org == domains.organizationalDomain(of: b)
    }

    /// The Organizational Domain of a raw name, normalized first.
    public func organizationalDomain(of raw: String?) -> String? {
        domains.organizationalDomain(of: OrganizationalDomains.normalize(raw))
    }
}
