/// Totals of one `rua import` run.
public struct ImportSummary: Sendable, Equatable {
    /// Inputs read: files, and each message of an mbox.
    public var inputs = 0
    /// Files found so far under the paths given (known before they are read; for progress).
    public var filesFound = 0
    public var stored = 0
    public var duplicates = 0
    public var rejected = 0
    public var skipped = 0
    /// Records and messages of the reports stored in this run.
    public var records = 0
    public var messages: Int64 = 0
    /// Inputs that could not be read or stored at all, with the reason.
    public var failures: [String] = []
    /// Entries of the directories walked that were not read (links out of the tree, FIFOs, devices),
    /// each "PATH: why".
    public var passedOver: [String] = []
    /// True when a failure was temporary (database busy or locked): retrying later may succeed.
    public var temporaryFailure = false

    public init() {}

    /// Adds another run's totals (a run imported in parts).
    public mutating func add(_ other: ImportSummary) {
        inputs += other.inputs
        filesFound += other.filesFound
        stored += other.stored
        duplicates += other.duplicates
        rejected += other.rejected
        skipped += other.skipped
        records += other.records
        messages = messages.saturatingAdd(other.messages)
        failures += other.failures
        passedOver += other.passedOver
        temporaryFailure = temporaryFailure || other.temporaryFailure
    }

    /// Adds one reported item to the totals.
    public mutating func count(_ item: ImportItem) {
        switch item.outcome {
        case .stored:
            stored += 1
            records += item.records ?? 0
            messages = messages.saturatingAdd(item.messages ?? 0)
        case .duplicate: duplicates += 1
        case .rejected: rejected += 1
        case .skipped: skipped += 1
        }
    }
}

/// How far an import is: its totals so far, and the input being stored when it is a large one.
public struct ImportProgress: Sendable, Equatable {
    public var summary: ImportSummary
    /// The input being stored, while its records are written (a large report takes seconds); `nil`
    /// between inputs.
    public var current: Current?

    public struct Current: Sendable, Equatable {
        public var name: String
        /// The input's size, and the bytes of it read so far.
        public var size: Int64
        public var bytesRead: Int64
        /// Records of it written so far.
        public var records: Int

        public init(name: String, size: Int64, bytesRead: Int64, records: Int) {
            self.name = name
            self.size = size
            self.bytesRead = bytesRead
            self.records = records
        }
    }

    public init(summary: ImportSummary, current: Current? = nil) {
        self.summary = summary
        self.current = current
    }
}
