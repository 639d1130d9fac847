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

    /// The member's content, to be read on demand.
    func content() throws -> MemberContent {
        try MemberContent(file: file, start: start, length: length, isDeflated: isDeflated)
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

/// A member's content read on demand: stored bytes straight from the archive, deflated ones inflated
/// into the reader's own buffer, never past the member's declared compressed size.
final class MemberContent {
    private let descriptor: Int32
    private var offset: Int64
    private var remaining: UInt64
    /// zlib's stream and the compressed bytes it reads from, for a deflated member.
    private let inflater: UnsafeMutablePointer<z_stream>?
    private let input: UnsafeMutableRawBufferPointer?
    private var ended = false

    init(file: FileHandle, start: UInt64, length: UInt64, isDeflated: Bool) throws {
        descriptor = file.fileDescriptor
        offset = Int64(start)
        remaining = length
        guard isDeflated else {
            (inflater, input) = (nil, nil)
            return
        }
        let stream = UnsafeMutablePointer<z_stream>.allocate(capacity: 1)
        stream.initialize(to: z_stream())
        guard rua_inflateInit2(stream, -15) == Z_OK else {
            stream.deallocate()
            throw MemberData.Failure(reason: "zlib cannot start inflating")
        }
        inflater = stream
        input = .allocate(byteCount: 64 * 1024, alignment: 16)
    }

    deinit {
        if let inflater {
            inflateEnd(inflater)
            inflater.deallocate()
        }
        input?.deallocate()
    }

    /// Fills `buffer` with the next bytes of content (less only at its end); 0 once it has ended.
    /// - Throws: ``MemberData/Failure`` when the archive ends inside the member or its deflate data is
    ///   corrupt or truncated.
    func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        guard let base = buffer.baseAddress, !buffer.isEmpty, !ended else { return 0 }
        guard let stream = inflater, let input else {
            let wanted = Int(min(UInt64(buffer.count), remaining))
            guard wanted > 0 else { return 0 }
            let count = try FileReading.read(
                descriptor, into: UnsafeMutableRawBufferPointer(rebasing: buffer[0..<wanted]), at: offset)
            guard count == wanted else { throw MemberData.Failure(reason: "the archive ends inside the member's data") }
            offset += Int64(count)
            remaining -= UInt64(count)
            return count
        }
        stream.pointee.next_out = base.assumingMemoryBound(to: Bytef.self)
        stream.pointee.avail_out = uInt(buffer.count)
        while stream.pointee.avail_out > 0 {
            if stream.pointee.avail_in == 0 {
                guard remaining > 0 else {
                    throw MemberData.Failure(reason: "its deflate data is truncated (the stream does not end)")
                }
                let wanted = Int(min(UInt64(input.count), remaining))
                let count = try FileReading.read(
                    descriptor, into: UnsafeMutableRawBufferPointer(rebasing: input[0..<wanted]), at: offset)
                guard count == wanted else {
                    throw MemberData.Failure(reason: "the archive ends inside the member's data")
                }
                offset += Int64(count)
                remaining -= UInt64(count)
                stream.pointee.setInput(input.baseAddress!, count: count)
            }
            let before = stream.pointee.avail_out
            let status = CZlibShim.inflate(stream, Z_NO_FLUSH)
            switch status {
            case Z_STREAM_END:
                ended = true
                return buffer.count - Int(stream.pointee.avail_out)
            case Z_OK, Z_BUF_ERROR:
                if status == Z_BUF_ERROR && stream.pointee.avail_out == before && stream.pointee.avail_in > 0 {
                    throw MemberData.Failure(reason: "its deflate data is corrupt (inflate makes no progress)")
                }
            default:
                let reason = stream.pointee.msg.map { String(cString: $0) } ?? "error \(status)"
                throw MemberData.Failure(reason: "its deflate data is corrupt (\(reason))")
            }
        }
        return buffer.count
    }
}
