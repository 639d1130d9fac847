import ReportModel

/// What a record's raw authentication results say about alignment, recomputed by Rua (standards digest
/// §6.3) in both modes, so the policy's `adkim`/`aspf` can pick one later. Stored with each record.
public struct AlignmentFacts: OptionSet, Hashable, Sendable {
    public let rawValue: Int64
    public init(rawValue: Int64) { self.rawValue = rawValue }

    /// A passing DKIM signature whose `d=` has header_from's Organizational Domain.
    public static let dkimRelaxed = AlignmentFacts(rawValue: 1 << 0)
    /// A passing DKIM signature whose `d=` is header_from exactly.
    public static let dkimStrict = AlignmentFacts(rawValue: 1 << 1)
    /// SPF passed for a MAIL FROM domain with header_from's Organizational Domain.
    public static let spfRelaxed = AlignmentFacts(rawValue: 1 << 2)
    /// SPF passed for a MAIL FROM domain equal to header_from.
    public static let spfStrict = AlignmentFacts(rawValue: 1 << 3)
    /// Some DKIM signature passed, aligned or not.
    public static let dkimPassedAny = AlignmentFacts(rawValue: 1 << 4)
    /// SPF passed for some MAIL FROM (or HELO standing in for a null one), aligned or not.
    public static let spfPassedAny = AlignmentFacts(rawValue: 1 << 5)
    /// The record lists DKIM results at all.
    public static let hasDKIMResults = AlignmentFacts(rawValue: 1 << 6)
    /// The record lists SPF results at all.
    public static let hasSPFResults = AlignmentFacts(rawValue: 1 << 7)

    /// Recomputed DKIM alignment under `mode` (relaxed when the report does not say).
    public func dkimAligned(_ mode: AlignmentMode?) -> Bool {
        contains(mode == .strict ? .dkimStrict : .dkimRelaxed)
    }

    /// Recomputed SPF alignment under `mode`.
    public func spfAligned(_ mode: AlignmentMode?) -> Bool {
        contains(mode == .strict ? .spfStrict : .spfRelaxed)
    }
}

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
