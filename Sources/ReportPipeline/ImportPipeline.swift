import Foundation
import ReportIngest
import ReportModel
import ReportStore
import WorkQueues

/// Imports inputs into the database. Two threads share the work: one reads, unpacks and parses
/// (``InputReader``), the other writes (``InputWriter``); between them, one job per input, whose parts
/// follow as they are found, bounded together by one budget. Every input's original bytes are kept; each
/// input is stored in a savepoint, each report in a savepoint inside it, and acknowledged once its
/// transaction has committed. Inputs come from an ``InputSource``: paths, inputs kept in the database, a
/// mailbox. This is the API the service and the end-to-end tests use.
public final class ImportPipeline {
    /// The database, or how to open it: an import opens it (migrating it if need be) while its reader
    /// already reads the first inputs.
    private enum Store {
        case open(ReportDatabase)
        case opening(location: DatabaseLocation, open: () throws -> ReportDatabase)

        var location: DatabaseLocation {
            switch self {
            case .open(let database): database.location
            case .opening(let location, _): location
            }
        }

        /// The SQLite file, which an import of its directory passes over.
        var file: String? {
            if case .sqlite(let path) = location { return path }
            return nil
        }
    }

    private var store: Store
    private let unpacker: Unpacker
    private let clock: () -> Date
    private let markMaildirSeen: Bool

    /// The weight of jobs and parts in flight between the reader and the writer (``Job/weight``,
    /// ``InputPart/weight``): about 16 batches of records, or 16 MiB of input bytes, or a few hundred
    /// small messages.
    static let queueCapacity = 4096

    /// - Parameters:
    ///   - database: where reports go.
    ///   - limits: decompression caps.
    ///   - clock: the time stamped on imported inputs.
    ///   - markMaildirSeen: move each message of a Maildir's `new/` to `cur/` with the seen flag once
    ///     its outcome is committed.
    public convenience init(
        database: ReportDatabase, limits: UnpackLimits = UnpackLimits(), clock: @escaping () -> Date = Date.init,
        markMaildirSeen: Bool = false
    ) {
        self.init(.open(database), limits: limits, clock: clock, markMaildirSeen: markMaildirSeen)
    }

    /// A pipeline whose database is opened by `open` when an import starts, beside the reader, which
    /// reads and parses the first inputs meanwhile (checking them against what is stored once the
    /// database is open: the writer checks every input again anyway). Opening a database, migrations
    /// included, then costs an import (a message piped in by an MTA) no time of its own.
    /// - Parameters:
    ///   - location: the database (the reader opens it too, for reading, once `open` has).
    ///   - open: opens and migrates the database at `location`.
    public convenience init(
        databaseAt location: DatabaseLocation, opening open: @escaping () throws -> ReportDatabase,
        limits: UnpackLimits = UnpackLimits(), clock: @escaping () -> Date = Date.init, markMaildirSeen: Bool = false
    ) {
        self.init(
            .opening(location: location, open: open), limits: limits, clock: clock, markMaildirSeen: markMaildirSeen)
    }

    private init(_ store: Store, limits: UnpackLimits, clock: @escaping () -> Date, markMaildirSeen: Bool) {
        self.store = store
        self.markMaildirSeen = markMaildirSeen
        self.unpacker = Unpacker(limits: limits)
        self.clock = clock
    }

    /// Called with the running totals as inputs are reported (for a progress line).
    public var onProgress: ((ImportProgress) -> Void)?

    /// Imports files and directories (recursively; hidden files and Maildir `tmp/` folders are passed
    /// over); `-` reads one message from standard input. mbox files are split into their messages.
    /// - Parameter onItem: called for every item handled, after its input was committed.
    /// - Returns: the totals. Bad inputs never stop the batch: they end up as rejected items or failures.
    /// - Throws: ``StoreError`` when the database cannot be opened; then nothing was imported.
    @discardableResult
    public func importPaths(
        _ paths: [String], onItem: @escaping (ImportItem) -> Void = { _ in }
    ) throws
        -> ImportSummary
    {
        try run(PathInputs(paths, markMaildirSeen: markMaildirSeen, database: store.file), onItem: onItem)
    }

    /// Imports what `source` yields (a mailbox, uploads), each input acknowledged once committed.
    public func importInputs(
        from source: any InputSource, onItem: @escaping (ImportItem) -> Void = { _ in }
    ) throws
        -> ImportSummary
    {
        try run(source, onItem: onItem)
    }

    /// Runs kept inputs through the current unpacking and parsing again (after an upgrade that handles a
    /// quirk): what parses now is stored, what still does not is kept with its new reason.
    /// - Parameter ids: the inputs to run (`rua quarantine list` shows them); `nil` for every input with
    ///   a rejected or skipped item.
    /// - Throws: ``StoreError`` when the database or the kept inputs cannot be read.
    public func reprocess(_ ids: [Int64]?, onItem: @escaping (ImportItem) -> Void = { _ in }) throws -> ImportSummary {
        let database = try openedDatabase()
        let inputs = try ids.map { try $0.compactMap(database.keptInput(id:)) } ?? database.quarantined()
        let missing = (ids ?? []).filter { id in !inputs.contains { $0.id == id } }
        var summary = try run(nil, kept: inputs, onItem: onItem)
        summary.failures += missing.map {
            "input #\($0): no such input in the database (rua quarantine list shows them)"
        }
        return summary
    }

    /// The database, opened now if it is not yet.
    private func openedDatabase() throws -> ReportDatabase {
        switch store {
        case .open(let database):
            return database
        case .opening(_, let open):
            let database = try open()
            store = .open(database)
            return database
        }
    }

    /// Runs the reader on a thread of its own over `source` (or over `kept`, the inputs kept in the
    /// database, read through the reader's own connection), and the writer on this one.
    private func run(
        _ source: (any InputSource)?, kept: [KeptInput] = [], onItem: @escaping (ImportItem) -> Void
    ) throws -> ImportSummary {
        let budget = QueueBudget(capacity: Self.queueCapacity)
        let jobs = BoundedQueue<Job>(sharing: budget) { $0.weight }
        let gate = OneShot<Bool>()
        let storedInputs = StoredInputs(location: store.location, gate: gate)
        let inputs =
            source
            ?? KeptInputs(kept) { sha256 in try storedInputs.lookup(waiting: true)?.original(sha256: sha256)?.decoded()
            }
        // Handed over: from here on only the reader's thread uses the source.
        nonisolated(unsafe) var reader = InputReader(
            source: inputs, storedInputs: storedInputs, unpacker: unpacker, jobs: jobs, budget: budget)
        // A database already open is there for the reader's first look-up; one being opened joins in when
        // it is (until then the reader reads and parses without it).
        if case .open = store { gate.set(true) }
        let readerDone = DispatchSemaphore(value: 0)
        let thread = Thread {
            reader.run()
            readerDone.signal()
        }
        thread.name = "rua-reader"
        thread.stackSize = 8 << 20
        thread.start()
        let database: ReportDatabase
        do {
            database = try openedDatabase()
            gate.set(true)
        } catch {
            // Nothing can be stored: the reader stops at its next input, and is waited for (it may be
            // reading standard input, which the process must not leave behind mid-read).
            gate.set(false)
            jobs.close()
            readerDone.wait()
            throw error
        }
        let writer = InputWriter(database: database, jobs: jobs, clock: clock, onItem: onItem)
        writer.onProgress = onProgress
        writer.run()
        return writer.summary
    }
}
