import ReportModel

/// Recomputes alignment from a record's `auth_results`.
public struct AlignmentCheck: Sendable {
    private let domains: OrganizationalDomains

    public init(domains: OrganizationalDomains = .shared) {
        self.domains = domains
    }

    /// - Parameter memo: remembers names across calls (an import's records repeat the same few domains).
    public func facts(for record: ReportRecord, memo: DomainMemo? = nil) -> AlignmentFacts {
        let normalize: (String?) -> String? = { raw in
            memo.map { $0.normalized(raw) } ?? OrganizationalDomains.normalize(raw)
        }
        let organization: (String?) -> String? = { name in
            memo.map { $0.organization(of: name, self.domains) } ?? self.domains.organizationalDomain(of: name)
        }
        var facts: AlignmentFacts = []
        if !record.dkimResults.isEmpty { facts.insert(.hasDKIMResults) }
        if !record.spfResults.isEmpty { facts.insert(.hasSPFResults) }
        let author = normalize(record.headerFrom)
        let authorOrg = organization(author)
        func insert(_ domain: String, strict: AlignmentFacts, relaxed: AlignmentFacts) {
            guard let author else { return }
            if domain == author, authorOrg != nil || !domains.isPublicSuffix(author) {
                facts.insert(strict)
                facts.insert(relaxed)
            } else if let authorOrg, organization(domain) == authorOrg {
                facts.insert(relaxed)
            }
        }
        for result in record.dkimResults where result.result?.word == .pass {
            guard let domain = normalize(result.domain) else { continue }
            facts.insert(.dkimPassedAny)
            insert(domain, strict: .dkimStrict, relaxed: .dkimRelaxed)
        }
        let envelope = normalize(record.envelopeFrom)
        for result in record.spfResults where result.result?.word == .pass {
            // HELO only stands in for a null reverse-path; an unknown scope is read as MAIL FROM.
            if result.scope?.word == .helo && envelope != nil { continue }
            guard let domain = normalize(result.domain) ?? envelope else { continue }
            facts.insert(.spfPassedAny)
            insert(domain, strict: .spfStrict, relaxed: .spfRelaxed)
        }
        return facts
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

/// Normalized names and their Organizational Domains remembered across records: an import's records repeat
/// the same few domains, and a dictionary hit is cheaper than trimming, case-folding and walking the suffix
/// list again. Bounded (cleared when full); one thread.
public final class DomainMemo {
    private var names: [String: String] = [:]
    private var organizations: [String: String] = [:]
    private let limit: Int

    public init(limit: Int = 4_096) {
        self.limit = limit
    }

    func normalized(_ raw: String?) -> String? {
        guard let raw else { return nil }
        if let known = names[raw] { return known.isEmpty ? nil : known }
        let value = OrganizationalDomains.normalize(raw)
        if names.count >= limit { names.removeAll(keepingCapacity: true) }
        names[raw] = value ?? ""
        return value
    }

    func organization(of name: String?, _ domains: OrganizationalDomains) -> String? {
        guard let name else { return nil }
        if let known = organizations[name] { return known.isEmpty ? nil : known }
        let value = domains.organizationalDomain(of: name)
        if organizations.count >= limit { organizations.removeAll(keepingCapacity: true) }
        organizations[name] = value ?? ""
        return value
    }
}
