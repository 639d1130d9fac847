import ArgumentParser
import Foundation
import ReportService

/// `--dns-server`, `--offline`, `--dns-timeout` and `--services`: how report commands identify sources.
struct DNSOptions: ParsableArguments {
    @Option(
        help: ArgumentHelp(
            "Ask this DNS server (HOST or HOST:PORT, IPv6 as [::1]:53) instead of the system resolver.",
            valueName: "host[:port]"))
    var dnsServer: String?

    @Flag(help: "No DNS at all: reverse DNS from the cache only (also RUA_OFFLINE=1).")
    var offline = false

    @Option(help: ArgumentHelp("Milliseconds to wait for each DNS answer (1 to 60000).", valueName: "ms"))
    var dnsTimeout: Int32 = 2_000

    func validate() throws {
        guard (1...60_000).contains(dnsTimeout) else {
            throw ValidationError("--dns-timeout must be a number of milliseconds from 1 to 60000")
        }
    }

    @Option(
        help: ArgumentHelp(
            "A CSV of known services (domain,service,type) laid over the shipped table; default: services.csv "
                + "beside the database, if present.", valueName: "file"))
    var services: String?

    var isOffline: Bool {
        offline
            || ["1", "true", "yes"].contains(ProcessInfo.processInfo.environment["RUA_OFFLINE"]?.lowercased() ?? "")
    }

    /// How sources are identified, from these options.
    var lookup: SourceLookup {
        SourceLookup(offline: isOffline, server: dnsServer, timeoutMilliseconds: dnsTimeout, servicesFile: services)
    }
}
