import ReportModel

/// An input's original bytes, as the importer hands them to the store to keep: held in memory, or in a
/// file read again in chunks (a large file, a spooled message).
public enum InputOriginal: Sendable {
    case bytes([UInt8])
    case file(path: String, size: Int64)

    public var size: Int64 {
        switch self {
        case .bytes(let bytes): Int64(bytes.count)
        case .file(_, let size): size
        }
    }
}

/// How an input's original bytes are kept.
public enum ContentEncoding: String, Sendable {
    /// As received (already compressed inputs: gzip, zip).
    case identity
    /// Each chunk compressed with zlib (RFC 1950).
    case deflate
}

/// Hands the store an input's original bytes, chunk by chunk, already encoded.
protocol OriginalSource: AnyObject {
    /// Size of the original in bytes.
    var size: Int64 { get }
    var encoding: ContentEncoding { get }
    /// The next encoded chunk (at most 1 MiB of the original), or `nil` at the end; waits for a source
    /// that encodes ahead on another thread.
    func nextChunk() throws -> [UInt8]?
    /// Whether ``nextChunk()`` would answer without waiting for another thread. The store takes ready
    /// chunks while an input's reports are written, and the rest once they are.
    var isChunkReady: Bool { get }
    /// Chunk `index` (counted from 0) once more: the store asks again for chunks that a report's
    /// rollback took with it.
    func chunk(at index: Int) throws -> [UInt8]
}

extension OriginalSource {
    /// A source that encodes on demand is always ready.
    var isChunkReady: Bool { true }
}

extension InputOriginal {
    /// The chunks to store: encoded on demand, or ahead on a thread of their own when the original is
    /// large enough to be worth one.
    func source() throws -> any OriginalSource {
        let chunks = { try OriginalChunks(self) }
        return try PrefetchedOriginal.source(for: chunks, again: chunks)
    }
}
