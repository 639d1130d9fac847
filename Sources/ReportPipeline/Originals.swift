import Foundation
import ReportIngest
import ReportModel
import ReportStore

/// Feeds the store an input's original bytes in 1 MiB chunks: as they are when the input is already
/// compressed (gzip, zlib, zip), zlib-deflated otherwise.
final class OriginalChunks: OriginalSource {
    let size: Int64
    let encoding: ContentEncoding
    private let bytes: [UInt8]?
    private let path: String?
    private var file: FileHandle?
    private var next = 0

    /// An original held in memory.
    init(bytes: [UInt8]) {
        self.bytes = bytes
        self.path = nil
        self.size = Int64(bytes.count)
        self.encoding = Self.encoding(for: Array(bytes.prefix(8)), size: Int64(bytes.count))
    }

    /// A large original read again from its file.
    init(path: String, size: Int64) throws {
        let file = try Self.open(path)
        let head = try file.read(upToCount: 8) ?? Data()
        self.file = file
        self.path = path
        self.bytes = nil
        self.size = size
        self.encoding = Self.encoding(for: Array(head), size: size)
    }

    deinit {
        try? file?.close()
    }

    private static func open(_ path: String) throws -> FileHandle {
        guard let file = SystemPath.openForReading(path) else {
            throw IngestError(
                .unreadable, "cannot reopen file to keep its original: \(String(cString: strerror(errno)))",
                at: .init(path: path))
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
            throw IngestError(
                .unreadable, "file changed while being imported: its original cannot be kept",
                at: .init(path: path ?? ""))
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
        switch Sniffer.sniff(head.prefix(8), isComplete: head.count < 8) {
        case .gzip?, .zlib?, .zip?: return .identity
        default: return .deflate
        }
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
    private enum Item {
        case chunk([UInt8])
        case end((any Error)?)
    }

    private let items = BoundedQueue<Item>(capacity: PrefetchedOriginal.maxQueuedBytes) { item in
        if case .chunk(let bytes) = item { max(1, bytes.count) } else { 1 }
    }

    /// Runs on the encoding thread until the source ends, fails, or the writer no longer wants it.
    func fill(from source: OriginalChunks) {
        while true {
            do {
                guard let chunk = try source.nextChunk() else {
                    items.send(.end(nil))
                    return
                }
                guard items.send(.chunk(chunk)) else { return }
            } catch {
                items.send(.end(error))
                return
            }
        }
    }

    var isReady: Bool { items.hasElement }

    /// The next chunk, waiting for it; `nil` at the end.
    func take() throws -> [UInt8]? {
        switch items.receive() {
        case .chunk(let bytes):
            return bytes
        case .end(let failure):
            // The end stays for any later call.
            items.sendFront(.end(failure))
            if let failure { throw failure }
            return nil
        }
    }

    func cancel() {
        items.close()
    }
}

extension StoredOriginal {
    /// The original bytes, decoded.
    func decoded() throws -> [UInt8] {
        switch encoding {
        case .identity: chunks.flatMap { $0 }
        case .deflate: try chunks.flatMap { try Deflate.decompress($0) }
        }
    }
}

extension ReportDatabase {
    /// The original bytes of the input with this SHA-256, decoded, or `nil` when none is kept.
    public func originalBytes(sha256: [UInt8]) throws -> [UInt8]? {
        try original(sha256: sha256)?.decoded()
    }
}
