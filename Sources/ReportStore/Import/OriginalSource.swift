import ReportModel

/// How an input's original bytes are kept.
public enum ContentEncoding: String, Sendable {
    /// As received (already compressed inputs: gzip, zip).
    case identity
    /// Each chunk compressed with zlib (RFC 1950).
    case deflate
}

/// Hands the store an input's original bytes, chunk by chunk, already encoded. The store keeps them
/// without knowing about compression.
public protocol OriginalSource: AnyObject {
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
    public var isChunkReady: Bool { true }
}

/// An input's original as stored: its encoding and its chunks in order.
public struct StoredOriginal: Sendable {
    public var size: Int64
    public var encoding: ContentEncoding
    public var chunks: [[UInt8]]
}

/// What ``ReportDatabase/importInput(name:sha256:original:importedAt:_:)`` came to.
public enum InputImport<Result> {
    /// The input was new and is now stored, with what the body returned.
    case imported(Result)
    /// An input with the same content was already stored (by another importer, or earlier in this batch):
    /// its items, as duplicates. The body did not run.
    case alreadyImported([ReportModel.ImportItem])
}
