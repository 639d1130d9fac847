import Foundation
import ReportModel
import WorkQueues

/// An input's original bytes in 1 MiB chunks: as they are when the input is already compressed (gzip,
/// zlib, zip), zlib-deflated otherwise.
final class OriginalChunks: OriginalSource {
    let size: Int64
    let encoding: ContentEncoding
    private let bytes: [UInt8]?
    private let path: String?
    private var file: FileHandle?
    private var next = 0

    init(_ original: InputOriginal) throws {
        switch original {
        case .bytes(let bytes):
            self.bytes = bytes
            self.path = nil
            self.size = Int64(bytes.count)
            self.encoding = Self.encoding(for: Array(bytes.prefix(8)), size: Int64(bytes.count))
        case .file(let path, let size):
            let file = try Self.open(path)
            let head = try file.read(upToCount: 8) ?? Data()
            self.file = file
            self.path = path
            self.bytes = nil
            self.size = size
            self.encoding = Self.encoding(for: Array(head), size: size)
        }
    }

    deinit {
        try? file?.close()
    }

    private static func open(_ path: String) throws -> FileHandle {
        guard let file = SystemPath.openForReading(path) else {
            throw StoreError(
                "cannot reopen \(PathBytes.displayed(path)) to keep its original: \(String(cString: strerror(errno)))")
        }
        return file
    }

    func nextChunk() throws -> [UInt8]? {
        guard Int64(next) * Int64(Deflate.chunkSize) < size else { return nil }
        defer { next += 1 }
        return try chunk(at: next)
    }

    func chunk(at index: Int) throws -> [UInt8] {
        let start = index * Deflate.chunkSize
        if let bytes {
            let end = min(start + Deflate.chunkSize, bytes.count)
            return bytes.withUnsafeBytes { encode(UnsafeRawBufferPointer(rebasing: $0[start..<end])) }
        }
        let file = try file ?? Self.open(path ?? "")
        self.file = file
        let chunk = try FileReading.read(file.fileDescriptor, count: Deflate.chunkSize, at: Int64(start))
        guard Int64(start + chunk.count) == min(Int64(start + Deflate.chunkSize), size) else {
            throw StoreError(
                "\(PathBytes.displayed(path ?? "")) changed while being imported: its original cannot be kept")
        }
        return chunk.withUnsafeBytes { encode($0) }
    }

    private func encode(_ chunk: UnsafeRawBufferPointer) -> [UInt8] {
        encoding == .deflate ? Deflate.compress(chunk) : Array(chunk)
    }

    /// Originals smaller than this are kept as they are: deflating a few kilobytes saves little and
    /// costs a compressor's setup each time.
    static let smallestDeflated: Int64 = 8 * 1024

    private static func encoding(for head: [UInt8], size: Int64) -> ContentEncoding {
        guard size >= smallestDeflated else { return .identity }
        return isCompressed(head) ? .identity : .deflate
    }

    /// Whether the bytes begin as gzip, zip or a zlib stream do: deflating those again gains nothing.
    static func isCompressed(_ head: [UInt8]) -> Bool {
        guard head.count >= 2 else { return false }
        if head[0] == 0x1F && head[1] == 0x8B { return true }
        if head.count >= 4 && head[0] == 0x50 && head[1] == 0x4B && (head[2] == 3 || head[2] == 5) { return true }
        return head[0] & 0x0F == 8 && (UInt16(head[0]) << 8 | UInt16(head[1])) % 31 == 0
    }
}

/// A large original deflated on a thread of its own while the writer stores the input's reports: the
/// writer takes chunks as they are ready. At most ``maxQueuedBytes`` of encoded chunks wait in memory.
final class PrefetchedOriginal: OriginalSource {
    let size: Int64
    let encoding: ContentEncoding
    private let queue = ChunkQueue()
    /// A second reader for chunks asked for again (after a report's rollback), apart from the thread's.
    private let again: () throws -> OriginalChunks
    private var rereader: OriginalChunks?

    /// Originals of at least this many bytes that need deflating are deflated ahead.
    static let smallestPrefetched: Int64 = 2 * Int64(Deflate.chunkSize)
    static let maxQueuedBytes = 4 << 20

    /// A source for `original`, deflated ahead when it is large enough to be worth a thread.
    static func source(
        for original: () throws -> OriginalChunks, again: @escaping () throws -> OriginalChunks
    )
        rethrows -> any OriginalSource
    {
        let chunks = try original()
        guard chunks.encoding == .deflate && chunks.size >= smallestPrefetched else { return chunks }
        return PrefetchedOriginal(chunks, again: again)
    }

    private init(_ source: OriginalChunks, again: @escaping () throws -> OriginalChunks) {
        size = source.size
        encoding = source.encoding
        self.again = again
        let queue = self.queue
        // Handed over: from here on only the encoding thread uses `source`.
        nonisolated(unsafe) let handedOver = source
        HelperThread.start(name: "rua-original") { queue.fill(from: handedOver) }
    }

    deinit {
        queue.cancel()
    }

    var isChunkReady: Bool { queue.isReady }

    func nextChunk() throws -> [UInt8]? {
        try queue.take()
    }

    func chunk(at index: Int) throws -> [UInt8] {
        let rereader = try self.rereader ?? again()
        self.rereader = rereader
        return try rereader.chunk(at: index)
    }
}

/// The chunks a ``PrefetchedOriginal``'s thread has encoded and the writer not yet taken, then the end
/// (or the failure) of the original: a bounded queue of them, closed when the writer no longer wants it.
private final class ChunkQueue: Sendable {
    private let items = BoundedQueue<[UInt8]>(capacity: PrefetchedOriginal.maxQueuedBytes) { max(1, $0.count) }
    private let failure = OneShot<any Error>()

    /// Runs on the encoding thread until the source ends, fails, or the writer no longer wants it.
    func fill(from source: OriginalChunks) {
        defer { items.end() }
        do {
            while let chunk = try source.nextChunk() {
                guard items.send(chunk) else { return }
            }
        } catch {
            failure.set(error)
        }
    }

    var isReady: Bool { items.hasElement }

    /// The next chunk, waiting for it; `nil` at the end.
    func take() throws -> [UInt8]? {
        if let chunk = items.receive() { return chunk }
        if let failure = failure.current { throw failure }
        return nil
    }

    func cancel() {
        items.close()
    }
}
