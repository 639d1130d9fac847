import ArgumentParser
import Foundation
import ReportAnalysis
import ReportStore
import SenderAttribution

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

    /// The services table: the shipped one, with `--services` or `services.csv` beside the database over it.
    func knownServices(databasePath: String) throws -> KnownServices {
        let beside = (databasePath as NSString).deletingLastPathComponent + "/services.csv"
        let path = services ?? (FileManager.default.fileExists(atPath: beside) ? beside : nil)
        guard let path else { return .builtIn }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ValidationError("--services: cannot read \(path)")
        }
        do {
            return KnownServices.builtIn.overlaid(with: try KnownServices(csv: String(decoding: data, as: UTF8.self)))
        } catch {
            throw ValidationError("\(path): \(error)")
        }
    }

    func identifier(database: ReportDatabase, now: Int64) throws -> SourceIdentifier {
        let mode: DNSMode =
            isOffline
            ? .offline : .online(DNSConfiguration(server: dnsServer, timeoutMilliseconds: max(100, dnsTimeout)))
        return SourceIdentifier(
            database: database, mode: mode, services: try knownServices(databasePath: database.path), now: now)
    }
}
