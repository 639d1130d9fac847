import Foundation
import GRDB
import ReportModel

/// An input's original as stored: its encoding and its chunks in order.
public struct StoredOriginal: Sendable {
    public var size: Int64
    public var encoding: ContentEncoding
    public var chunks: [[UInt8]]

    /// The original bytes, decoded.
    public func decoded() throws -> [UInt8] {
        switch encoding {
        case .identity: chunks.flatMap { $0 }
        case .deflate: try chunks.flatMap { try Deflate.decompress($0) }
        }
    }
}

extension ReportDatabase {
    /// The kept original of the input with this SHA-256, if any.
    public func original(sha256: [UInt8]) throws -> StoredOriginal? {
        try read { db in try Self.original(db, sha256: sha256) }
    }

    static func original(_ db: any SQLConnection, sha256: [UInt8]) throws -> StoredOriginal? {
        guard
            let row = try db.row(
                "SELECT id, size, encoding FROM input_blob WHERE sha256 = ? AND pruned_at IS NULL",
                [Data(sha256)])
        else { return nil }
        let blobID: Int64 = row["id"]
        let chunks = try db.values(Data.self, "SELECT data FROM input_chunk WHERE blob_id = ? ORDER BY seq", [blobID])
        return StoredOriginal(
            size: row["size"], encoding: ContentEncoding(rawValue: row["encoding"]) ?? .identity,
            chunks: chunks.map { Array($0) })
    }

    /// The original bytes of the input with this SHA-256, decoded, or `nil` when none is kept.
    public func originalBytes(sha256: [UInt8]) throws -> [UInt8]? {
        try original(sha256: sha256)?.decoded()
    }
}
