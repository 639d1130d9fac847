import ReportIngest
import ReportModel

/// One input to import: a file, a message of an mbox or a Maildir, standard input — and any other
/// source's unit (a message fetched from a server, an upload). Each input is stored (or found stored)
/// in one transaction of its own, with its original bytes, and then acknowledged.
public struct ImportInput: Sendable {
    /// How items and messages name the input: its path, `-`, a mailbox URL.
    public var name: String
    /// Where within ``name`` the input is (`["message 3"]` in an mbox); empty for all of it.
    public var members: [String]
    public var content: InputContent
    /// Runs once the input's outcome (stored, a duplicate, or kept with its reason) is committed, never
    /// before, with the items it gave: marks a Maildir message seen, moves a message on a server (to
    /// one folder when it held reports, another when not), answers an upload. When it throws, the import
    /// reports the input as stored but not acknowledged (it is a duplicate next time).
    public var acknowledge: (@Sendable ([ImportItem]) throws -> Void)?
    /// An input kept in the database that this one runs again (`rua reprocess`).
    var keptInputID: Int64?

    public init(
        name: String, members: [String] = [], content: InputContent,
        acknowledge: (@Sendable ([ImportItem]) throws -> Void)? = nil
    ) {
        self.name = name
        self.members = members
        self.content = content
        self.acknowledge = acknowledge
    }
}

/// Where an input's bytes are.
public enum InputContent: Sendable {
    /// Held in memory.
    case bytes([UInt8])
    /// Collected by a ``Spool`` (in memory, or in a temporary file), hashed already.
    case spooled(SpooledInput)
    /// A regular file: read whole when it is small, streamed (and hashed alongside) when it is large.
    case file(path: String)
}

/// What a source yields: inputs, and what it found but could not or would not read.
public enum SourceEvent: Sendable {
    case input(ImportInput)
    /// Something that could not be read at all (missing, unreadable): a failure of the import.
    case unreadable(name: String, reason: String)
    /// Something deliberately not read (a FIFO in a directory, a link out of the tree), with why.
    case passedOver(name: String, reason: String)
    /// This many more inputs were found (for progress).
    case found(Int)
}

/// Where inputs come from: paths (``PathInputs``), inputs kept in the database (``KeptInputs``), a
/// mailbox on a server. The import's reader asks for the next event when it is ready for it, so a
/// source reads ahead no more than one input.
public protocol InputSource {
    /// The next event; `nil` when the source is exhausted.
    mutating func next() -> SourceEvent?
}
