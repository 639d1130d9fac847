import ArgumentParser
import Foundation
import ReportModel
import ReportRendering
import ReportService

struct CheckCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract:
            "Check domains' mail DNS (DMARC, SPF, DKIM, MX and PTR, MTA-STS, TLS-RPT) against their reports, with the fix for each problem; --readiness says when tightening the policy is safe.",
        discussion: """
            DMARC: one valid record at _dmarc.DOMAIN, else the organizational domain's, else the public \
            suffix domain's, found by RFC 9989's DNS tree walk (psd=y/n; the public suffix list's answer \
            beside it); every tag read as RFC 9989 says (errors, removed and unknown tags named), p=none \
            and t=y flagged (with a database: how long the reports have shown p=none and whether they show \
            the domain ready to enforce), rua= present, and each report destination outside the domain \
            authorised (DOMAIN._report._dmarc.HOST). DKIM: the key of each selector the stored reports show \
            (last 90 days) and each --selector: present, not revoked, RSA of 1024 bits or more (2048 \
            advised), not t=y, in use in the last 30 days. SPF: exactly one record, its include/redirect \
            tree walked with the DNS-querying terms counted (limit 10) and void lookups (limit 2), loops, \
            +all, ?all, ptr, its size, the discontinued SPF RR type; senders the reports show passing DKIM \
            but not SPF. MX: each host resolves, and each address has a forward-confirmed PTR. MTA-STS: one \
            record at _mta-sts.DOMAIN with an id, the policy fetched from \
            https://mta-sts.DOMAIN/.well-known/mta-sts.txt as senders do (certificate for that name, no \
            redirects, 200, text/plain, 64 KB), its syntax, mode and max_age, its mx patterns against the \
            MX hosts (with --dns-server, the policy is fetched from the address that server gives), and the \
            stored TLS reports' policy and certificate failures. TLS-RPT: one record at _smtp._tls.DOMAIN \
            with valid rua= URIs, and whether TLS reports arrive.

            With a database, each run stores the records it read and says under each check what changed \
            since the last run (--dry-run: say it, store nothing); the digest names the changes.

            --readiness judges from the last --days of reports instead of the DNS: what quarantine or \
            reject would have stopped (spoofing, forwarded, own misconfigured senders), the own senders to \
            fix first, the verdict (ready, ready_after_fixes, not_enough_evidence: fewer than 14 days, 2 \
            reporters or 1,000 messages, enforced, no_reports) and the RFC 9989 staging step to publish next.

            Domains are checked 32 at a time, each DNS name asked once per run.

            Exit status: 0 when every check passed (warnings too, unless --fail-on warning: then 1); 2 \
            when any check failed; 64 usage; 66 no database (--all, --readiness); 75 the database is busy.
            """
    )

    @Argument(help: ArgumentHelp("Domains to check.", valueName: "domain"))
    var domains: [String] = []

    @Flag(help: "Check every policy domain the database has reports for.")
    var all = false

    @Option(
        name: .customLong("selector"),
        help: ArgumentHelp(
            "Check this DKIM selector too (beside those the reports show); repeat for more.", valueName: "selector"))
    var selectors: [String] = []

    @Option(help: ArgumentHelp("Exit 1 on warnings too: warning (default: only failures, exit 2).", valueName: "level"))
    var failOn: String?

    @Option(help: "Output format: text, json (one document), ndjson (one check a line) or csv.")
    var format: OutputFormat = .text

    @Option(
        help: ArgumentHelp("Ask this DNS server (HOST or HOST:PORT) instead of the system's.", valueName: "host[:port]")
    )
    var dnsServer: String?

    @Option(help: ArgumentHelp("Milliseconds to wait for each DNS answer.", valueName: "ms"))
    var dnsTimeout: Int32 = 2_000

    @Option(help: ArgumentHelp("Trust this CA file too for MTA-STS policies (a private CA).", valueName: "file"))
    var caFile: String?

    @Flag(
        help:
            "Instead of the DNS: judge from the reports whether each domain can tighten its DMARC policy (what quarantine or reject would stop, own senders to fix first, the next step)."
    )
    var readiness = false

    @Option(help: ArgumentHelp("Days of reports --readiness judges from (default 30).", valueName: "n"))
    var days: Int = 30

    @Flag(help: "Do not store the records seen in the database's DNS history.")
    var dryRun = false

    @OptionGroup var store: StoreOptions

    func validate() throws {
        if domains.isEmpty && !all { throw ValidationError("give a domain to check, or --all") }
        if let failOn, failOn != "warning" { throw ValidationError("--fail-on takes warning") }
        if !(1...3_650).contains(days) { throw ValidationError("--days takes 1 to 3650") }
        for domain in domains where !DomainName.isValid(domain.hasSuffix(".") ? String(domain.dropLast()) : domain) {
            throw ValidationError("'\(domain)' is not a domain name")
        }
    }

    func run() throws {
        let now = try currentTime()
        var names = domains
        // The database, when there is one, says which DKIM selectors are in use.
        let service = all || store.exists ? try store.open() : nil
        defer { service?.close() }
        if all, let service { names += try store.perform { try service.policyDomains() } }
        var seen = Set<String>()
        names = names.filter { seen.insert($0).inserted }
        let checks: [Check]
        do {
            if readiness {
                guard let service else {
                    printError("rua: no database at \(store.path): --readiness judges from the stored reports")
                    throw ExitStatus.noInput
                }
                checks = try store.perform {
                    try service.readiness(all ? [] : names, days: days, now: now).map {
                        ReportService.readinessCheck($0, days: days)
                    }
                }
            } else {
                checks = try ReportService.checkDomains(
                    names, extraSelectors: selectors, database: service, server: dnsServer,
                    timeoutMilliseconds: dnsTimeout, now: now, caFile: caFile, recordHistory: !dryRun)
            }
        } catch let error as StoreError {
            printError("rua: \(error.message)")
            throw error.isTemporary ? ExitStatus.temporaryFailure : ExitStatus.ioError
        } catch let exit as ExitCode {
            throw exit
        } catch {
            throw ValidationError("\(error)")
        }
        let context = OutputContext(command: "check", generatedAt: try currentTime(), period: nil, periodLabel: "")
        print(CheckRenderer.render(checks, format: format, context: context), terminator: "")
        if checks.contains(where: { $0.status == .failure }) { throw ExitCode(2) }
        if failOn == "warning" && checks.contains(where: { $0.status == .warning }) { throw ExitCode(1) }
    }
}
