import CZlibShim
import Foundation
import ReportModel

/// The stored bytes of one zip member, located from its local header and bounded by its declared
/// compressed size and by the end of the archive file, then copied (stored) or inflated (deflated).
struct MemberData {
    struct Failure: Error {
        let reason: String
    }

    private let descriptor: Int32
    private let start: UInt64
    private let length: UInt64
    private let isDeflated: Bool

    init(_ member: ZipDirectory.Member, in directory: ZipDirectory, descriptor: Int32) throws {
        guard member.localHeaderOffset != 0xFFFF_FFFF else {
            throw Failure(reason: "its local header offset cannot be read (ZIP64 offsets are not supported)")
        }
        guard member.method == 0 || member.method == 8 else {
            throw Failure(reason: "compression method \(member.method) is not supported (only stored and deflate)")
        }
        guard let start = member.dataStart else { throw Failure(reason: "its local header is missing or damaged") }
        self.descriptor = descriptor
        self.start = start
        length = member.compressedSize
        isDeflated = member.method == 8
        guard start <= directory.fileSize, length <= directory.fileSize - start else {
            throw Failure(reason: "its declared size of \(length) bytes runs past the end of the archive")
        }
    }

    /// The member's content, to be read on demand.
    func content() throws -> MemberContent {
        try MemberContent(descriptor: descriptor, start: start, length: length, isDeflated: isDeflated)
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

    init(descriptor: Int32, start: UInt64, length: UInt64, isDeflated: Bool) throws {
        self.descriptor = descriptor
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
