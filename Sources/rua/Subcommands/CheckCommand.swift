import ArgumentParser
import Foundation
import ReportModel
import ReportRendering
import ReportService

struct CheckCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Check domains' mail DNS: DMARC, SPF, DKIM, MX and PTR, TLS-RPT, with the fix for each problem.",
        discussion: """
            DMARC: one valid record at _dmarc.DOMAIN (else the organizational domain's), every tag read as \
            RFC 9989 says (errors, removed and unknown tags named), p=none and t=y flagged, rua= present, \
            and each report destination outside the domain authorised (DOMAIN._report._dmarc.HOST). DKIM: \
            the key of each selector the stored reports show (last 90 days) and each --selector: present, \
            not revoked, RSA of 1024 bits or more (2048 advised), not t=y, in use in the last 30 days. SPF: \
            exactly one record, its include/redirect tree walked with the DNS-querying terms counted \
            (limit 10) and void lookups (limit 2), loops, +all, ?all, ptr, its size. MX: each host \
            resolves, and each address has a forward-confirmed PTR. MTA-STS: one record at _mta-sts.DOMAIN \
            with an id, the policy fetched from https://mta-sts.DOMAIN/.well-known/mta-sts.txt as senders do \
            (certificate for that name, no redirects, 200, text/plain, 64 KB), its syntax, mode and max_age, \
            and its mx patterns against the MX hosts (with --dns-server, the policy is fetched from the \
            address that server gives). TLS-RPT: one record at \
            _smtp._tls.DOMAIN with valid rua= URIs.

            Exit status: 0 when every check passed (warnings too, unless --fail-on warning: then 1); 2 \
            when any check failed; 64 usage; 66 no database (--all).
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
        let service = all || SystemPath.status(store.path) != nil ? try store.open() : nil
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
