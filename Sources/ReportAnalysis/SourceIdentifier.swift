import ReportModel
import ReportStore
import SenderAttribution

/// Whether report commands may ask DNS.
public enum DNSMode: Sendable {
    /// Work from the cache alone (`--offline`, `RUA_OFFLINE=1`): addresses not in it are "not looked up".
    case offline
    /// Look up what the cache lacks, through this resolver configuration.
    case online(DNSConfiguration)
}

/// Identifies sources at report time: reverse DNS from the cache, what is missing looked up (bounded,
/// with timeouts) and cached, then the known-services table and the auth domains combined into an
/// attribution with its evidence.
public final class SourceIdentifier {
    private let database: ReportDatabase
    private let mode: DNSMode
    private let attributor: Attributor
    private let now: Int64
    private var resolver: ReverseResolver?
    /// DNS queries sent so far (none when everything came from the cache).
    public private(set) var queriesSent = 0

    public init(database: ReportDatabase, mode: DNSMode, services: KnownServices = .builtIn, now: Int64) {
        self.database = database
        self.mode = mode
        self.attributor = Attributor(services: services)
        self.now = now
    }

    /// Reverse DNS for `addresses`: cached answers, the rest looked up now unless offline.
    public func reverseDNS(_ addresses: [String]) throws -> [String: ReverseLookup] {
        var answers = try database.cachedReverseDNS(addresses, now: now)
        let missing = Set(addresses).subtracting(answers.keys).sorted()
        guard !missing.isEmpty, case .online(let configuration) = mode else { return answers }
        if resolver == nil { resolver = try ReverseResolver(configuration) }
        guard let resolver else { return answers }
        let before = resolver.queries
        let found = resolver.lookup(missing)
        queriesSent += resolver.queries - before
        try database.storeReverseDNS(found, now: now)
        answers.merge(found) { _, new in new }
        return answers
    }

    /// Attributions for `addresses`, using the domains that passed DKIM and SPF for each.
    public func identify(
        _ addresses: [String], authDomains: [String: (dkim: [String], spf: [String])]
    ) throws -> [String: SourceAttribution] {
        let reverse = try reverseDNS(addresses)
        var result: [String: SourceAttribution] = [:]
        for address in addresses {
            let domains = authDomains[address]
            result[address] = attributor.attribute(
                reverse: reverse[address], dkimDomains: domains?.dkim ?? [], spfDomains: domains?.spf ?? [])
        }
        return result
    }
}
