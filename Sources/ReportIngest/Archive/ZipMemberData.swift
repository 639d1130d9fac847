import CZlibShim
import Foundation
import ZIPFoundation

/// The stored bytes of one zip member, located from its local header and bounded by its declared
/// compressed size and by the end of the archive file, then copied (stored) or inflated (deflated).
struct MemberData {
    struct Failure: Error {
        let reason: String
    }

    let file: FileHandle
    private let start: UInt64
    private let length: UInt64
    private let isDeflated: Bool

    private static let chunk = 64 * 1024

    init(_ entry: Entry, in archive: Archive) throws {
        guard let headerOffset = Self.localHeaderOffset(of: entry) else {
            throw Failure(reason: "its local header offset cannot be read (ZIP64 offsets are not supported)")
        }
        let method = Self.compressionMethod(of: entry)
        guard method == 0 || method == 8 else {
            throw Failure(reason: "compression method \(method) is not supported (only stored and deflate)")
        }
        file = try FileHandle(forReadingFrom: archive.url)
        let fileSize = try file.seekToEnd()
        try file.seek(toOffset: headerOffset)
        let header = [UInt8](try file.read(upToCount: 30) ?? Data())
        guard header.count == 30, header[0..<4] == [0x50, 0x4B, 0x03, 0x04] else {
            try? file.close()
            throw Failure(reason: "its local header is missing or damaged")
        }
        let nameLength = UInt64(header[26]) | UInt64(header[27]) << 8
        let extraLength = UInt64(header[28]) | UInt64(header[29]) << 8
        start = headerOffset + 30 + nameLength + extraLength
        length = entry.compressedSize
        isDeflated = method == 8
        guard start <= fileSize, length <= fileSize - start else {
            try? file.close()
            throw Failure(reason: "its declared size of \(length) bytes runs past the end of the archive")
        }
    }

    /// Hands the member's content to `sink` in chunks.
    func stream(to sink: (UnsafeRawBufferPointer) throws -> Void) throws {
        try file.seek(toOffset: start)
        var remaining = length
        let inflater = isDeflated ? try RawInflater() : nil
        while remaining > 0 {
            let data = try file.read(upToCount: Int(min(remaining, UInt64(Self.chunk)))) ?? Data()
            if data.isEmpty { throw Failure(reason: "the archive ends inside the member's data") }
            remaining -= UInt64(data.count)
            if let inflater {
                let ended = try data.withUnsafeBytes { try inflater.inflate($0, into: sink) }
                if ended { return }
            } else {
                try data.withUnsafeBytes { try sink($0) }
            }
        }
        if inflater != nil { throw Failure(reason: "its deflate data is truncated (the stream does not end)") }
    }

    /// The local header offset, read by reflection: ZIPFoundation keeps it internal. Tests that read
    /// zips fail loudly should a ZIPFoundation release rename it.
    private static func localHeaderOffset(of entry: Entry) -> UInt64? {
        let directory = Mirror(reflecting: entry).descendant("centralDirectoryStructure")
        guard let directory,
            let offset = Mirror(reflecting: directory).descendant("relativeOffsetOfLocalHeader") as? UInt32,
            offset != .max
        else { return nil }
        return UInt64(offset)
    }

    private static func compressionMethod(of entry: Entry) -> UInt16 {
        let directory = Mirror(reflecting: entry).descendant("centralDirectoryStructure")
        let method = directory.flatMap { Mirror(reflecting: $0).descendant("compressionMethod") as? UInt16 }
        return method ?? (entry.isCompressed ? 8 : 0)
    }
}

/// zlib inflate of raw deflate data (no header), as zip members hold it.
private final class RawInflater {
    private var stream = z_stream()
    private var output = [UInt8](repeating: 0, count: 64 * 1024)

    init() throws {
        guard rua_inflateInit2(&stream, -15) == Z_OK else {
            throw MemberData.Failure(reason: "zlib cannot start inflating")
        }
    }

    deinit {
        inflateEnd(&stream)
    }

    /// Inflates `bytes`, handing output to `sink`; true once the deflate stream has ended.
    func inflate(_ bytes: UnsafeRawBufferPointer, into sink: (UnsafeRawBufferPointer) throws -> Void) throws -> Bool {
        guard let base = bytes.baseAddress, !bytes.isEmpty else { return false }
        stream.setInput(base, count: bytes.count)
        defer { stream.next_in = nil }
        while true {
            let (result, count) = stream.inflateStep(into: &output)
            if count > 0 {
                try output.withUnsafeBytes { try sink(UnsafeRawBufferPointer(rebasing: $0[0..<count])) }
            }
            switch result {
            case Z_STREAM_END:
                return true
            case Z_OK, Z_BUF_ERROR:
                if stream.avail_in == 0 && stream.avail_out > 0 { return false }
                if result == Z_BUF_ERROR && count == 0 && stream.avail_in > 0 {
                    throw MemberData.Failure(reason: "its deflate data is corrupt (inflate makes no progress)")
                }
            default:
                let reason = stream.msg.map { String(cString: $0) } ?? "error \(result)"
                throw MemberData.Failure(reason: "its deflate data is corrupt (\(reason))")
            }
        }
    }
}
