import DomainAlignment
import Foundation
import ReportAnalysis
import ReportIngest
import ReportModel
import ReportPipeline
import ReportStore

/// What the command line (and anything else that serves reports) stands on: one database, opened, and
/// every question asked of it as a plain call returning model values for the renderers. Failures of the
/// database are ``StoreError``s.
public final class ReportService {
    let database: ReportDatabase

    /// The database's file, or its PostgreSQL URL without query or password.
    public var path: String { database.path }

    public var location: DatabaseLocation { database.location }

    /// Opens (creating and migrating if need be) the database at `location`.
    /// - Parameter busyTimeout: seconds to wait for another process holding the database.
    /// - Throws: ``StoreError``.
    public init(location: DatabaseLocation, busyTimeout: TimeInterval) throws {
        database = try ReportDatabase(location: location, busyTimeout: busyTimeout)
    }

    /// Opens (creating and migrating if need be) the SQLite database at `path`.
    public convenience init(path: String, busyTimeout: TimeInterval) throws {
        try self.init(location: .sqlite(path: path), busyTimeout: busyTimeout)
    }

    /// Closes the database (checkpointing its log).
    public func close() {
        database.close()
    }

    /// The decompressed bytes one report may have by default (`--max-report-bytes`).
    public static let defaultMaxReportBytes = UnpackLimits.defaultMaxReportBytes

    // MARK: - Reports and summaries

    public func reports(_ filter: ReportFilter) throws -> [StoredReport] {
        try database.reports(resolved(filter))
    }

    /// Per policy domain: totals, and its `topSources` sources failing most.
    public func summary(_ filter: ReportFilter, topSources: Int) throws -> [DomainSummary] {
        try database.summary(resolved(filter), topSources: topSources)
    }

    /// Per policy domain: TLS sessions and the `top` failures by type, MX host and sending IP.
    public func tlsSummary(_ filter: ReportFilter, top: Int) throws -> [TLSDomainSummary] {
        try database.tlsSummary(resolved(filter), top: top)
    }

    /// `filter` with its domain as the reports store it: an internationalised domain may be given either
    /// way (`göpher.test` or `xn--gpher-jua.test`, any case), and reports keep the form they were sent in.
    func resolved(_ filter: ReportFilter) throws -> ReportFilter {
        var filter = filter
        filter.domain = try filter.domain.map(storedForm)
        return filter
    }

    /// The form a policy domain is stored under, else its A-label form.
    func storedForm(_ domain: String) throws -> String {
        guard let ascii = OrganizationalDomains.normalize(domain) else { return domain.lowercased() }
        let forms = [ascii] + [OrganizationalDomains.unicodeForm(ascii)].compactMap { $0 }
        return try database.storedPolicyDomain(among: forms) ?? ascii
    }

    /// What the database holds and what it takes.
    public func statistics() throws -> DatabaseStatistics {
        try database.statistics()
    }

    /// Deletes records and originals older than `cutoff`; see ``ReportDatabase/prune(before:records:originals:now:)``.
    public func prune(before cutoff: Int64, records: Bool, originals: Bool, now: Int64) throws -> PruneResult {
        try database.prune(before: cutoff, records: records, originals: originals, now: now)
    }

    /// Rewrites the file without its free pages (and makes later prunes give space back as they go).
    public func vacuum() throws {
        try database.vacuum()
    }

    // MARK: - Quarantine

    /// Every input kept with a rejected (or, unless `rejectedOnly`, skipped) item.
    public func quarantined(rejectedOnly: Bool) throws -> [KeptInput] {
        try database.quarantined(rejectedOnly: rejectedOnly)
    }

    /// Deletes kept inputs (`ids`, or every one imported before `importedBefore`); see
    /// ``ReportDatabase/deleteKeptInputs(_:importedBefore:)``.
    public func deleteKeptInputs(
        _ ids: [Int64], importedBefore: Int64? = nil
    ) throws
        -> [(id: Int64, KeptInputDeletion)]
    {
        try database.deleteKeptInputs(ids, importedBefore: importedBefore)
    }

    public func keptInput(id: Int64) throws -> KeptInput? {
        try database.keptInput(id: id)
    }

    /// The original bytes of the kept input `id`, decoded; `nil` when there is no such input.
    public func originalBytes(ofInput id: Int64) throws -> [UInt8]? {
        guard let input = try database.keptInput(id: id) else { return nil }
        return try database.originalBytes(sha256: input.sha256)
    }
}

extension ReportService {
    /// Copies the SQLite database at `path` into the PostgreSQL database at `target` (`rua migrate-db`);
    /// returns every table's rows on both sides. Run again, it goes on from where it stopped.
    /// - Throws: ``StoreError``: a database cannot be opened, or the target holds reports of its own.
    public static func migrate(
        from path: String, to target: DatabaseLocation, busyTimeout: TimeInterval,
        progress: (SQLiteToPostgres.Progress) -> Void
    ) throws -> [SQLiteToPostgres.TableCount] {
        let source = try ReportDatabase(path: path, busyTimeout: busyTimeout, readOnly: true)
        defer { source.close() }
        let destination = try ReportDatabase(location: target, busyTimeout: busyTimeout)
        defer { destination.close() }
        return try SQLiteToPostgres(from: source, to: destination).run(progress: progress)
    }
}
