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

    /// Checks the domains' mail DNS (DMARC, SPF, MX and PTR, TLS-RPT) against `server` (or the system's
    /// resolver).
    public static func checkDomains(_ domains: [String], server: String?, timeoutMilliseconds: Int32) throws -> [Check]
    {
        let resolver = try ReverseResolver(
            DNSConfiguration(server: server, timeoutMilliseconds: max(100, timeoutMilliseconds)))
        let checker = DomainChecker(dns: resolver, reverse: resolver)
        // A-labels for DNS: a domain given in Unicode is checked as it is looked up.
        return domains.compactMap(OrganizationalDomains.normalize).flatMap { checker.check($0) }
    }
}
