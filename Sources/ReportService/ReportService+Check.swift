import DomainAlignment
import DomainCheck
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
        timeoutMilliseconds: Int32, now: Int64, caFile: String? = nil
    ) throws -> [Check] {
        func selectors(_ domain: String) throws -> [DomainChecker.Selector] {
            var found = try database?.dkimSelectors(domain, now: now) ?? []
            for selector in extraSelectors.map({ $0.lowercased() })
            where !found.contains(where: { $0.selector == selector && $0.domain == domain }) {
                found.append(DomainChecker.Selector(domain: domain, selector: selector, lastSeen: nil))
            }
            return found
        }
        let resolver = try ReverseResolver(
            DNSConfiguration(server: server, timeoutMilliseconds: max(100, timeoutMilliseconds)))
        // With a DNS server of its own, the MTA-STS policy is fetched from the address that server gives.
        let checker = DomainChecker(
            dns: resolver, reverse: resolver, caFile: caFile, policyAddressFromCheckDNS: server != nil)
        // A-labels for DNS: a domain given in Unicode is checked as it is looked up.
        return try domains.compactMap(OrganizationalDomains.normalize).flatMap { domain in
            checker.check(
                domain, selectors: try selectors(domain), now: now,
                unlistedSenders: try database?.database.sendersMissingFromSPF(
                    domain: domain, since: now - 30 * 86_400, limit: 10) ?? [])
        }
    }
}
