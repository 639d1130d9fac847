/// An input as the database keeps it: what `rua quarantine` lists and shows.
public struct KeptInput: Hashable, Sendable {
    public var id: Int64
    /// The name it was first imported under.
    public var name: String
    /// Epoch seconds UTC.
    public var importedAt: Int64
    public var size: Int64
    public var sha256: [UInt8]
    /// Every item of the input, in order.
    public var items: [ImportItem]
    /// The e-mail messages it held.
    public var messages: [MessageInfo]

    public init(
        id: Int64, name: String, importedAt: Int64, size: Int64, sha256: [UInt8], items: [ImportItem],
        messages: [MessageInfo]
    ) {
        self.id = id
        self.name = name
        self.importedAt = importedAt
        self.size = size
        self.sha256 = sha256
        self.items = items
        self.messages = messages
    }

    /// Items that were rejected or skipped: why the input is in quarantine.
    public var problems: [ImportItem] {
        items.filter { $0.outcome == .rejected || $0.outcome == .skipped }
    }
}

/// What deleting a kept input came to (`rua quarantine delete`).
public enum KeptInputDeletion: Sendable, Equatable {
    case deleted(name: String, bytes: Int64)
    case notFound
    /// It also stored reports: they refer to it, so it stays.
    case holdsReports(name: String, reports: Int)
    /// Nothing of it was rejected or skipped: it is not in quarantine.
    case notKept(name: String)
}

/// What `rua prune` deleted.
public struct PruneResult: Sendable, Equatable {
    /// Reports whose records were deleted, and how many records.
    public var reports = 0
    public var records = 0
    /// Originals deleted, and their size.
    public var originals = 0
    public var originalBytes: Int64 = 0
    /// Free space left inside the file (reused by later imports).
    public var freeBytes: Int64 = 0
    /// Whether freed pages went back to the file system (the database was vacuumed once).
    public var incrementalVacuum = false

    public init() {}
}
