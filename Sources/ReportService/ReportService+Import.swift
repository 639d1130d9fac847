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
        databaseAt path: String, busyTimeout: TimeInterval, maxReportBytes: Int64,
        clock: @escaping () -> Date = Date.init, markMaildirSeen: Bool = false
    ) {
        var opened: ReportDatabase?
        pipeline = ImportPipeline(
            databaseAt: path,
            opening: {
                let database = try ReportDatabase(path: path, busyTimeout: busyTimeout)
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

    /// Closes the database, if the import opened it.
    public func close() {
        opened()?.close()
    }
}

extension ReportService {
    /// Runs kept inputs through the current unpacking and parsing again; `nil` for every input with a
    /// rejected or skipped item. An id that names no kept input is a failure of the run.
    public func reprocess(_ ids: [Int64]?, onItem: @escaping (ImportItem) -> Void) throws -> ImportSummary {
        try ImportPipeline(database: database).reprocess(ids, onItem: onItem)
    }
}
