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
    private let file: FileHandle?
    private var offset = 0

    /// An original held in memory.
    init(bytes: [UInt8]) {
        self.bytes = bytes
        self.file = nil
        self.size = Int64(bytes.count)
        self.encoding = Self.encoding(for: Array(bytes.prefix(8)), size: Int64(bytes.count))
    }

    /// A large original read again from its file.
    init(path: String, size: Int64) throws {
        guard let file = FileHandle(forReadingAtPath: path) else {
            throw IngestError(.unreadable, "cannot reopen file to keep its original", at: .init(path: path))
        }
        let head = try file.read(upToCount: 8) ?? Data()
        try file.seek(toOffset: 0)
        self.file = file
        self.bytes = nil
        self.size = size
        self.encoding = Self.encoding(for: Array(head), size: size)
    }

    deinit {
        try? file?.close()
    }

    func nextChunk() throws -> [UInt8]? {
        if let bytes {
            guard offset < bytes.count else { return nil }
            let end = min(offset + Deflate.chunkSize, bytes.count)
            defer { offset = end }
            return bytes.withUnsafeBytes { encode(UnsafeRawBufferPointer(rebasing: $0[offset..<end])) }
        }
        guard let file, let chunk = try file.read(upToCount: Deflate.chunkSize), !chunk.isEmpty else { return nil }
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
