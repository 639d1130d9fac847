import DomainAlignment
import ReportModel

/// Decides who a source is from what is known about it: its reverse DNS, and the domains that passed DKIM
/// and SPF for its mail. The evidence is listed in that order; the service comes from the strongest piece
/// that names a known one: a forward-confirmed PTR name, then a DKIM d=, then an SPF domain, then a PTR
/// name that is not confirmed.
public struct Attributor: Sendable {
    public let services: KnownServices
    private let domains: OrganizationalDomains

    public init(services: KnownServices = .builtIn, domains: OrganizationalDomains = .shared) {
        self.services = services
        self.domains = domains
    }

    public func attribute(reverse: ReverseLookup?, dkimDomains: [String], spfDomains: [String]) -> SourceAttribution {
        var evidence: [String] = []
        var candidates: [(rank: Int, service: KnownService)] = []
        var ptrOrganization: String?
        switch reverse {
        case .name(let name, let confirmed):
            ptrOrganization = domains.organizationalDomain(of: OrganizationalDomains.normalize(name))
            evidence.append("PTR \(name), \(confirmed ? "forward-confirmed" : "not forward-confirmed")")
            if let match = services.service(for: name) { candidates.append((confirmed ? 0 : 3, match.service)) }
        case .noPTR:
            evidence.append("no PTR")
        case .failure(let reason):
            evidence.append("reverse DNS failed (\(reason))")
        case nil:
            break
        }
        for domain in dkimDomains.prefix(3) {
            evidence.append("DKIM d=\(domain)")
            if let match = services.service(for: domain) { candidates.append((1, match.service)) }
        }
        for domain in spfDomains.prefix(3) {
            evidence.append("SPF \(domain)")
            if let match = services.service(for: domain) { candidates.append((2, match.service)) }
        }
        let service = candidates.min { $0.rank < $1.rank }?.service
        return SourceAttribution(
            reverse: reverse, ptrOrganization: ptrOrganization, service: service, evidence: evidence)
    }
}
