import Foundation
import ReportAnalysis
import ReportModel
import ReportStore
import SenderAttribution

/// How report commands find out who a source is.
public struct SourceLookup: Sendable {
    /// No DNS at all: reverse DNS from the cache only.
    public var offline: Bool
    /// `HOST[:PORT]` of the DNS server to ask; `nil` for the system resolver.
    public var server: String?
    /// Milliseconds to wait for each answer.
    public var timeoutMilliseconds: Int32
    /// A CSV of known services (domain,service,type) laid over the shipped table; `nil` for
    /// `services.csv` beside the database, if present.
    public var servicesFile: String?

    public init(offline: Bool, server: String?, timeoutMilliseconds: Int32, servicesFile: String?) {
        self.offline = offline
        self.server = server
        self.timeoutMilliseconds = timeoutMilliseconds
        self.servicesFile = servicesFile
    }

    /// A known-services table that cannot be read or parsed.
    public struct ServicesFileError: Error, CustomStringConvertible {
        public var description: String
    }
}

/// The order of `rua failures`' groups.
public enum FailureOrder: String, Sendable, CaseIterable {
    /// Most messages first (the analysis' own order).
    case messages
    /// By policy domain, source and class.
    case source
}

extension ReportService {
    /// The failure analysis of the period: each failing group, optionally of one class only, in `order`,
    /// the first `top` (0: all), with their sources identified.
    public func failures(
        _ filter: ReportFilter, only failureClass: FailureClass? = nil, order: FailureOrder = .messages,
        top: Int = 0, lookup: SourceLookup, now: Int64
    ) throws -> FailureAnalysis {
        var analysis = try FailureAnalyzer.analyze(database, resolved(filter))
        if let failureClass { analysis.groups.removeAll { $0.failureClass != failureClass } }
        if order == .source {
            analysis.groups.sort {
                ($0.policyDomain, $0.sourceIP, $0.failureClass) < ($1.policyDomain, $1.sourceIP, $1.failureClass)
            }
        }
        if top > 0 { analysis.groups = Array(analysis.groups.prefix(top)) }
        analysis.attributions = try FailureAnalyzer.identify(analysis, with: identifier(lookup, now: now))
        return analysis
    }

    /// The digest of `period` (against the one before), its listed sources identified.
    public func digest(period: ReportPeriod, domain: String?, lookup: SourceLookup, now: Int64) throws -> Digest {
        try DigestBuilder.build(
            database, period: period, domain: domain.map(storedForm), identifier: identifier(lookup, now: now))
    }

    /// The first `top` sources of the period (0: all), most messages first, with who each is.
    public func sources(
        _ filter: ReportFilter, top: Int, lookup: SourceLookup, now: Int64
    ) throws -> (sources: [SourceTotals], attributions: [String: SourceAttribution]) {
        let identifier = try identifier(lookup, now: now)
        let filter = try resolved(filter)
        let sources = try database.sourceTotals(filter, limit: top > 0 ? top : Int.max)
        let addresses = sources.map(\.sourceIP)
        let domains = try database.passingAuthDomains(filter, addresses: addresses)
        return (sources, try identifier.identify(addresses, authDomains: domains))
    }

    /// The column names of an export.
    public static func exportColumns(_ kind: ExportKind, explode: Bool) -> [String] {
        Exports.columns(kind, explode: explode)
    }

    /// Streams the rows of an export to `row`.
    public func export(
        _ kind: ExportKind, filter: ReportFilter, explode: Bool, row: ([ExportValue]) throws -> Void
    ) throws {
        try Exports.export(kind, from: database, filter: resolved(filter), explode: explode, row: row)
    }

    /// The identifier for `lookup`: reverse DNS from the cache, the rest looked up unless offline.
    func identifier(_ lookup: SourceLookup, now: Int64) throws -> SourceIdentifier {
        let mode: DNSMode =
            lookup.offline
            ? .offline
            : .online(
                DNSConfiguration(server: lookup.server, timeoutMilliseconds: max(100, lookup.timeoutMilliseconds)))
        return SourceIdentifier(database: database, mode: mode, services: try knownServices(lookup), now: now)
    }

    /// The services table: the shipped one, with the given file or `services.csv` beside the database
    /// laid over it.
    func knownServices(_ lookup: SourceLookup) throws -> KnownServices {
        let beside = (path as NSString).deletingLastPathComponent + "/services.csv"
        let file = lookup.servicesFile ?? (FileManager.default.fileExists(atPath: beside) ? beside : nil)
        guard let file else { return .builtIn }
        guard let data = FileManager.default.contents(atPath: file) else {
            throw SourceLookup.ServicesFileError(description: "--services: cannot read \(file)")
        }
        do {
            return KnownServices.builtIn.overlaid(with: try KnownServices(csv: String(decoding: data, as: UTF8.self)))
        } catch {
            throw SourceLookup.ServicesFileError(description: "\(file): \(error)")
        }
    }
}
