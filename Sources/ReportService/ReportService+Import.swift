import Foundation
import ReportIngest
import ReportModel
import ReportPipeline
import ReportStore

/// An import into the database at a path: the database is opened (and migrated) while the import's
/// reader already reads the first inputs.
public final class Importer {
    private let pipeline: ImportPipeline
    /// The database once the pipeline has opened it.
    private let opened: () -> ReportDatabase?

    /// - Parameters:
    ///   - busyTimeout: seconds to wait for another process holding the database.
    ///   - maxReportBytes: the most decompressed bytes one report may have.
    ///   - clock: the time stamped on imported inputs.
    ///   - markMaildirSeen: move each message of a Maildir's `new/` to `cur/` with the seen flag once its
    ///     outcome is committed.
    public init(
        databaseAt location: DatabaseLocation, busyTimeout: TimeInterval, maxReportBytes: Int64,
        clock: @escaping () -> Date = Date.init, markMaildirSeen: Bool = false
    ) {
        var opened: ReportDatabase?
        pipeline = ImportPipeline(
            databaseAt: location,
            opening: {
                let database = try ReportDatabase(location: location, busyTimeout: busyTimeout)
                opened = database
                return database
            },
            limits: UnpackLimits(maxReportBytes: maxReportBytes), clock: clock, markMaildirSeen: markMaildirSeen)
        // The pipeline opens the database on the calling thread (its writer's) during importPaths.
        self.opened = { opened }
    }

    /// Called with the running totals as inputs are reported (for a progress line).
    public var onProgress: ((ImportProgress) -> Void)? {
        get { pipeline.onProgress }
        set { pipeline.onProgress = newValue }
    }

    /// Imports files and directories (`-` is one message on standard input). See
    /// `ImportPipeline.importPaths(_:onItem:)`.
    /// - Throws: ``StoreError`` when the database cannot be opened; then nothing was imported.
    public func importPaths(_ paths: [String], onItem: @escaping (ImportItem) -> Void) throws -> ImportSummary {
        try pipeline.importPaths(paths, onItem: onItem)
    }

    /// Imports what `source` yields (a mailbox on a server), each input acknowledged once committed.
    public func importInputs(
        from source: any InputSource, onItem: @escaping (ImportItem) -> Void
    ) throws
        -> ImportSummary
    {
        try pipeline.importInputs(from: source, onItem: onItem)
    }

    /// Applies the retention the database is configured with (`rua config`), after an import: what it
    /// deleted, or `nil` when no retention is set.
    public func applyRetention(now: Int64) throws -> PruneResult? {
        guard let database = opened() else { return nil }
        return try Retention.apply(to: database, now: now)
    }

    /// Closes the database, if the import opened it.
    public func close() {
        opened()?.close()
    }
}

/// The retention periods a database keeps in its settings (`rua config set retention.records 400d`),
/// applied by every import and by `rua prune` without a period.
public enum Retention {
    public static let recordsKey = "retention.records"
    public static let originalsKey = "retention.originals"
    public static let keys = [recordsKey, originalsKey]

    /// Days in a span: `400d`, `56w`, `13m` (30 days); `nil` for anything else.
    public static func days(_ span: String) -> Int? {
        guard let unit = span.last, let count = Int(span.dropLast()), count > 0, count <= 36_500 else { return nil }
        switch unit {
        case "d": return count
        case "w": return count * 7
        case "m": return count * 30
        default: return nil
        }
    }

    static func apply(to database: ReportDatabase, now: Int64) throws -> PruneResult? {
        let settings = try database.settings()
        let records = settings[recordsKey].flatMap(days)
        let originals = settings[originalsKey].flatMap(days)
        guard records != nil || originals != nil else { return nil }
        var total = PruneResult()
        for (days, records) in [(records, true), (originals, false)] {
            guard let days else { continue }
            let result = try database.prune(
                before: now - Int64(days) * 86_400, records: records, originals: !records, now: now)
            total.reports += result.reports
            total.records += result.records
            total.originals += result.originals
            total.originalBytes += result.originalBytes
            total.freeBytes = result.freeBytes
        }
        return total
    }
}

extension ReportService {
    /// Every setting, by key.
    public func settings() throws -> [String: String] {
        try database.settings()
    }

    public func setSetting(_ key: String, to value: String?) throws {
        try database.setSetting(key, to: value)
    }

    /// Runs kept inputs through the current unpacking and parsing again; `nil` for every input with a
    /// rejected or skipped item. An id that names no kept input is a failure of the run.
    public func reprocess(_ ids: [Int64]?, onItem: @escaping (ImportItem) -> Void) throws -> ImportSummary {
        try ImportPipeline(database: database).reprocess(ids, onItem: onItem)
    }
}
