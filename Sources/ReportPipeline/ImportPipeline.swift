import Foundation
import ReportIngest
import ReportModel
import ReportStore

/// Imports report files into the database. Two threads share the work: one reads, unpacks and parses
/// (``InputReader``), the other writes (``InputWriter``), with a bounded queue of events between them.
/// Every input's original bytes are kept; each input is one transaction and each report a savepoint in
/// it. This is the API the command line and the end-to-end tests use.
public final class ImportPipeline {
    private let database: ReportDatabase
    private let unpacker: Unpacker
    private let clock: () -> Date
    private let markMaildirSeen: Bool

    /// The weight of events in flight between the reader and the writer (``ImportEvent/weight``): about 16
    /// batches of records, or 16 MiB of input bytes, or a few hundred small messages.
    static let queueCapacity = 4096

    /// - Parameters:
    ///   - database: where reports go.
    ///   - limits: decompression caps.
    ///   - clock: the time stamped on imported inputs.
    ///   - markMaildirSeen: move each message of a Maildir's `new/` to `cur/` with the seen flag once
    ///     its outcome is committed.
    public init(
        database: ReportDatabase, limits: UnpackLimits = UnpackLimits(), clock: @escaping () -> Date = Date.init,
        markMaildirSeen: Bool = false
    ) {
        self.markMaildirSeen = markMaildirSeen
        self.database = database
        self.unpacker = Unpacker(limits: limits)
        self.clock = clock
    }

    /// Imports files and directories (recursively; hidden files and Maildir `tmp/` folders are passed
    /// over); `-` reads one message from standard input. mbox files are split into their messages.
    /// - Parameter onItem: called for every item handled, after its input was committed.
    /// - Returns: the totals. Bad inputs never stop the batch: they end up as rejected items or failures.
    /// Called with the running totals as inputs are reported (for a progress line).
    public var onProgress: ((ImportSummary) -> Void)?

    @discardableResult
    public func importPaths(_ paths: [String], onItem: @escaping (ImportItem) -> Void = { _ in }) -> ImportSummary {
        run(paths.map { .path($0) }, onItem: onItem)
    }

    /// Runs kept inputs through the current unpacking and parsing again (after an upgrade that handles a
    /// quirk): what parses now is stored, what still does not is kept with its new reason.
    /// - Parameter ids: the inputs to run (`rua quarantine list` shows them); `nil` for every input with
    ///   a rejected or skipped item.
    /// - Throws: ``StoreError`` when the kept inputs cannot be read.
    public func reprocess(_ ids: [Int64]?, onItem: @escaping (ImportItem) -> Void = { _ in }) throws -> ImportSummary {
        let inputs = try ids.map { try $0.compactMap(database.keptInput(id:)) } ?? database.quarantined()
        return run(inputs.map { .stored(id: $0.id, name: $0.name, sha256: $0.sha256) }, onItem: onItem)
    }

    private func run(_ sources: [InputReader.Source], onItem: @escaping (ImportItem) -> Void) -> ImportSummary {
        let channel = EventChannel(capacity: Self.queueCapacity)
        let reader = InputReader(sources: sources, databasePath: database.path, unpacker: unpacker, channel: channel)
        let thread = Thread { reader.run() }
        thread.name = "rua-reader"
        thread.stackSize = 8 << 20
        thread.start()
        let writer = InputWriter(
            database: database, channel: channel, clock: clock, markMaildirSeen: markMaildirSeen, onItem: onItem)
        writer.onProgress = onProgress
        writer.run()
        return writer.summary
    }
}
