import ReportIngest
import ReportModel

/// What the reading side of an import tells the writing side. Events of one input arrive between its
/// ``input(_:)`` and its ``endInput`` (or ``abortInput(_:)``), in order.
enum ImportEvent: Sendable {
    /// A new input begins.
    case input(InputStart)
    /// An input whose content is already stored: its items, as duplicates (and the Maildir file to mark
    /// seen, if it is one).
    case known([ImportItem], maildirNew: String?)
    /// An input that could not be read at all (missing, unreadable).
    case failed(path: String, message: String)
    /// An entry of a directory walked that is not read (a symbolic link out of the tree, a FIFO).
    case passedOver(path: String, reason: String)
    /// An e-mail message was read (its reports follow).
    case message(MessageInfo, part: String?)
    /// A DMARC report begins streaming.
    case beginReport(part: String?)
    /// The next records of the open report.
    case records([ReportRecord])
    /// The open report parsed completely.
    case commitReport(ParsedPayload)
    /// A TLS report that parsed completely.
    case commitTLSReport(ParsedTLSPayload)
    /// The open report is unusable: drop it and record the item as rejected.
    case discardReport(ImportItem, [Diagnostic])
    /// An item that holds no report (rejected, skipped).
    case item(ImportItem, [Diagnostic])
    /// The input is complete.
    case endInput
    /// Reading the input failed half-way: nothing of it may be kept.
    case abortInput(String)
    /// The input turned out to be stored already once its digest was known (a large file, hashed while
    /// it was read): drop what was written of it; a ``known(_:maildirNew:)`` follows.
    case retractInput
    /// The reader found this many more files to read (for progress).
    case discovered(Int)
    /// No more inputs.
    case finished
}

extension ImportEvent {
    /// What the event costs the queue between reader and writer: one for the event, one per record, one per
    /// 4 KiB of input bytes it holds. The queue is bounded by this weight, so that many small events
    /// (an mbox's messages) may wait in it while records and bytes stay bounded.
    var weight: Int {
        switch self {
        case .records(let records): 1 + records.count
        case .input(let start): 1 + (start.bytes?.count ?? 0) / 4096
        default: 1
        }
    }
}

/// The start of an input: what the store needs to keep its original.
struct InputStart: Sendable {
    var path: String
    /// Where in the file the input is (`["message 3"]` in an mbox); empty for the file itself.
    var members: [String] = []
    /// The input's SHA-256; `nil` for a large file whose digest is computed while it is read.
    var sha256: [UInt8]?
    /// The digest being computed, when ``sha256`` is `nil`.
    var pendingDigest: FileDigest?
    var size: Int64
    /// The whole input when it is held in memory; `nil` when the writer reads the file again in chunks.
    var bytes: [UInt8]?
    /// Where the input's bytes are read when they are not held: its path, or the temporary file an input
    /// read once was spooled to (``spooled`` keeps that file until the input is done with).
    var file: String
    var spooled: SpooledFile?
    /// Whether the file is a message in a Maildir's `new/` folder (to mark seen once stored).
    var maildirNew = false
    /// Set when a kept input runs again (`rua reprocess`): its id in the database.
    var storedInputID: Int64?

    init(path: String, sha256: [UInt8]?, size: Int64, bytes: [UInt8]?) {
        self.path = path
        self.file = path
        self.sha256 = sha256
        self.size = size
        self.bytes = bytes
    }

    /// An input that was read once and spooled (standard input, a message of an mbox).
    init(path: String, spooled input: SpooledInput) {
        switch input.content {
        case .bytes(let bytes):
            self.init(path: path, sha256: input.sha256, size: input.size, bytes: bytes)
        case .file(let file):
            self.init(path: path, sha256: input.sha256, size: input.size, bytes: nil)
            self.file = file.path
            spooled = file
        }
    }

    /// An input held in memory.
    init(path: String, bytes: [UInt8]) {
        self.init(path: path, sha256: SHA256Hasher.digest(bytes), size: Int64(bytes.count), bytes: bytes)
    }

    /// The input's SHA-256, waiting for it when it is being computed.
    func digest() throws -> [UInt8] {
        if let sha256 { return sha256 }
        guard let pendingDigest else {
            throw IngestError(.unreadable, "the input has no digest", at: InputLocation(path: path))
        }
        return try pendingDigest.value()
    }

    /// The name the input is stored under: the path, and the message within it.
    var name: String {
        ([path] + members).joined(separator: " › ")
    }

    /// `part` as stored, relative to the input: without its members in front (`message 3 › a.zip` → `a.zip`).
    func storedPart(_ part: String?) -> String? {
        guard let part, !members.isEmpty else { return part }
        let prefix = members.joined(separator: " › ")
        if part == prefix { return nil }
        if part.hasPrefix(prefix + " › ") { return String(part.dropFirst(prefix.count + 3)) }
        return part
    }

    /// Stored items (of an input stored before) as reported for this input: named by its path, their
    /// parts with its members in front (`a.zip` → `message 3 › a.zip`).
    func reported(_ items: [ImportItem]) -> [ImportItem] {
        items.map { item in
            var item = item
            item.input = path
            if !members.isEmpty { item.part = (members + [item.part].compactMap { $0 }).joined(separator: " › ") }
            return item
        }
    }
}

/// A TLS report that parsed, with what its item needs.
struct ParsedTLSPayload: Sendable {
    var part: String?
    var report: TLSReport
    var payloadSHA256: [UInt8]
    var diagnostics: [Diagnostic]
}

/// A report that parsed completely, with what its item needs.
struct ParsedPayload: Sendable {
    var part: String?
    var header: AggregateReportHeader
    var records: Int
    var messages: Int64
    var payloadSHA256: [UInt8]
    var diagnostics: [Diagnostic]
}
