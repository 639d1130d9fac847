import ReportIngest
import ReportModel
import ReportStore
import Synchronization
import WorkQueues

/// What the reader sends the writer, in order: a job for each input, and notes on what was not read.
enum Job: Sendable {
    case input(InputJob)
    case note(SourceEvent)

    /// What the job costs the queue between reader and writer: one, plus one per 4 KiB of input bytes it
    /// holds. Jobs and their parts share one budget, so that many small inputs (an mbox's messages) may
    /// wait while records and bytes stay bounded.
    var weight: Int {
        guard case .input(let job) = self else { return 1 }
        return 1 + (job.content.bytes?.count ?? 0) / 4096
    }
}

/// One input on its way from the reader to the writer: what the store needs to keep it, its parts as
/// the reader finds them, and how reading it ended.
final class InputJob: Sendable {
    let input: ImportInput
    let content: OpenedContent
    /// The input's items as stored before this run, when the reader found it stored before reading it
    /// (then it has no parts).
    let storedItems: [ImportItem]?
    /// The input's messages, reports and items, in order; ended by the reader once ``ending`` is set.
    let parts: BoundedQueue<InputPart>
    let ending = OneShot<InputEnding>()
    /// Bytes of a streamed input read so far (for progress).
    let bytesRead = ByteCount()

    init(_ input: ImportInput, content: OpenedContent, storedItems: [ImportItem]? = nil, budget: QueueBudget) {
        self.input = input
        self.content = content
        self.storedItems = storedItems
        parts = BoundedQueue(sharing: budget) { $0.weight }
        if storedItems != nil { finish(.complete) }
    }

    /// Ends the input's parts with how reading it ended.
    func finish(_ ending: InputEnding) {
        self.ending.set(ending)
        parts.end()
    }

    /// The name the input is stored under: its name, and the message within it.
    var storedName: String {
        ([input.name] + input.members).joined(separator: " › ")
    }

    /// `part` as stored, relative to the input: without its members in front (`message 3 › a.zip` → `a.zip`).
    func storedPart(_ part: String?) -> String? {
        guard let part, !input.members.isEmpty else { return part }
        let prefix = input.members.joined(separator: " › ")
        if part == prefix { return nil }
        if part.hasPrefix(prefix + " › ") { return String(part.dropFirst(prefix.count + 3)) }
        return part
    }

}

extension ImportInput {
    /// Stored items (of an input stored before) as reported for this input: named by its name, their
    /// parts with its members in front (`a.zip` → `message 3 › a.zip`).
    func reported(_ items: [ImportItem]) -> [ImportItem] {
        items.map { item in
            var item = item
            item.input = name
            if !members.isEmpty { item.part = (members + [item.part].compactMap { $0 }).joined(separator: " › ") }
            return item
        }
    }
}

/// A count one thread adds to and another reads.
final class ByteCount: Sendable {
    private let value = Atomic<Int>(0)

    func add(_ count: Int) {
        value.add(count, ordering: .relaxed)
    }

    var current: Int { value.load(ordering: .relaxed) }
}

/// A piece of an input, in the order the reader found it.
enum InputPart: Sendable {
    /// An e-mail message was read (its reports follow).
    case message(MessageInfo, part: String?)
    /// A DMARC report begins streaming; its records follow in batches, then it is parsed or rejected.
    case reportBegins(part: String?)
    /// Records of the report, with its end as the parser read it before them (the store keeps records by
    /// when their report ends).
    case records([ReportRecord], reportedEnd: Int64?)
    case reportParsed(ParsedPayload)
    /// The report that began is unusable: what was written of it goes, and it is kept as rejected.
    case reportRejected(ImportItem, [Diagnostic])
    /// A TLS report that parsed completely.
    case tlsReport(ParsedTLSPayload)
    /// An item that holds no report (rejected, skipped).
    case item(ImportItem, [Diagnostic])

    /// One, plus one per record: the records are what the budget bounds.
    var weight: Int {
        if case .records(let records, _) = self { return 1 + records.count }
        return 1
    }
}

/// How reading an input ended.
enum InputEnding: Sendable {
    case complete
    /// Reading it failed half-way: nothing of it may be kept.
    case unreadable(String)
    /// Its digest, known only once a large file was hashed, shows it stored before this run: what was
    /// written of it goes, and these are its items, as duplicates.
    case storedAlready([ImportItem])
}

/// An input's bytes as the reader has them: held, or in a file read again in chunks (a large file,
/// hashed on a thread of its own meanwhile; a spooled message).
struct OpenedContent: Sendable {
    /// The whole input when it is held in memory.
    var bytes: [UInt8]?
    /// Where the bytes are read when they are not held.
    var file: String
    var size: Int64
    /// The input's SHA-256; `nil` for a large file whose digest is computed while it is read.
    var sha256: [UInt8]?
    var pendingDigest: FileDigest?
    /// Keeps a spooled input's temporary file until the input is done with.
    var spooled: SpooledFile?

    /// Reads a small file whole; finds a large file's size and starts hashing it.
    /// - Throws: ``IngestError`` when a file cannot be read.
    init(_ content: InputContent, name: String, wholeFileLimit: Int64) throws {
        switch content {
        case .bytes(let bytes):
            self.init(bytes: bytes, file: name, sha256: SHA256Hasher.digest(bytes))
        case .spooled(let spooled):
            switch spooled.content {
            case .bytes(let bytes):
                self.init(bytes: bytes, file: name, sha256: spooled.sha256)
            case .file(let file):
                self.init(bytes: nil, file: file.path, sha256: spooled.sha256, size: file.size)
                self.spooled = file
            }
        case .file(let path):
            let file = try InputFile(path: path, wholeFileLimit: wholeFileLimit)
            self.init(bytes: file.bytes, file: path, sha256: file.sha256, size: file.size)
            if file.sha256 == nil { pendingDigest = FileDigest(path: path) }
        }
    }

    private init(bytes: [UInt8]?, file: String, sha256: [UInt8]?, size: Int64? = nil) {
        self.bytes = bytes
        self.file = file
        self.sha256 = sha256
        self.size = size ?? Int64(bytes?.count ?? 0)
    }

    /// The input's SHA-256, waiting for it when it is being computed.
    func digest() throws -> [UInt8] {
        if let sha256 { return sha256 }
        guard let pendingDigest else {
            throw IngestError(.unreadable, "the input has no digest", at: .init(path: file))
        }
        return try pendingDigest.value()
    }

    /// The bytes to keep as the input's original.
    var original: InputOriginal {
        bytes.map { .bytes($0) } ?? .file(path: file, size: size)
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
