import Foundation
import ReportModel

/// A zip archive's central directory, read from the file: every member as the archive lists it,
/// encrypted ones and ones whose data overlaps another's included, so that none is passed over in
/// silence (a listing that stops at the first member it cannot read would lose the rest).
struct ZipDirectory {
    struct Member {
        var path: String
        var flags: UInt16
        var method: UInt16
        var checksum: UInt32
        var compressedSize: UInt64
        var localHeaderOffset: UInt64
        var isDirectory: Bool
        var isSymbolicLink: Bool
        /// Where the member's stored bytes begin, after its local header; `nil` when that header is
        /// missing or damaged.
        var dataStart: UInt64?

        var isEncrypted: Bool { flags & 1 != 0 }
    }

    struct Failure: Error {
        let code: IngestError.Code
        let message: String
    }

    let members: [Member]
    /// The archive's size in bytes.
    let fileSize: UInt64

    /// Reads the central directory of the archive open as `descriptor`.
    /// - Throws: ``Failure`` when the archive has no end record or its directory is damaged.
    init(descriptor: Int32) throws {
        var status = stat()
        guard fstat(descriptor, &status) == 0 else {
            throw Failure(code: .unreadable, message: "zip archive cannot be read: \(String(cString: strerror(errno)))")
        }
        let size = UInt64(status.st_size)
        // The end record is 22 bytes plus a comment of up to 65,535.
        let tailLength = min(size, 22 + 65_535)
        let tail = try FileReading.read(descriptor, count: Int(tailLength), at: Int64(size - tailLength))
        guard tail.count >= 22,
            let end = stride(from: tail.count - 22, through: 0, by: -1).first(where: {
                tail[$0] == 0x50 && tail[$0 + 1] == 0x4B && tail[$0 + 2] == 0x05 && tail[$0 + 3] == 0x06
            })
        else {
            throw Failure(
                code: .truncated, message: "zip archive is truncated or damaged: its central directory is missing")
        }
        let count = Int(Self.uint16(tail, end + 10))
        let directorySize = UInt64(Self.uint32(tail, end + 12))
        let directoryOffset = UInt64(Self.uint32(tail, end + 16))
        guard directoryOffset != 0xFFFF_FFFF, count != 0xFFFF else {
            throw Failure(code: .corrupt, message: "zip archive uses ZIP64 records, which are not supported")
        }
        guard directoryOffset <= size, directorySize <= size - directoryOffset else {
            throw Failure(code: .corrupt, message: "zip archive's central directory lies outside the file")
        }
        let directory = try FileReading.read(descriptor, count: Int(directorySize), at: Int64(directoryOffset))
        var members: [Member] = []
        var position = 0
        for _ in 0..<count {
            guard position + 46 <= directory.count,
                directory[position..<(position + 4)].elementsEqual([0x50, 0x4B, 0x01, 0x02])
            else {
                throw Failure(code: .corrupt, message: "zip archive's central directory is damaged")
            }
            let nameLength = Int(Self.uint16(directory, position + 28))
            let extraLength = Int(Self.uint16(directory, position + 30))
            let commentLength = Int(Self.uint16(directory, position + 32))
            let nameStart = position + 46
            guard nameStart + nameLength <= directory.count else {
                throw Failure(code: .corrupt, message: "zip archive's central directory is damaged")
            }
            let flags = Self.uint16(directory, position + 8)
            let path = Self.name(directory[nameStart..<(nameStart + nameLength)])
            let madeBy = directory[position + 5]
            let mode = Self.uint32(directory, position + 38) >> 16
            let localHeaderOffset = UInt64(Self.uint32(directory, position + 42))
            members.append(
                Member(
                    path: path, flags: flags, method: Self.uint16(directory, position + 10),
                    checksum: Self.uint32(directory, position + 16),
                    compressedSize: UInt64(Self.uint32(directory, position + 20)),
                    localHeaderOffset: localHeaderOffset, isDirectory: path.hasSuffix("/"),
                    isSymbolicLink: madeBy == 3 && mode & UInt32(S_IFMT) == UInt32(S_IFLNK),
                    dataStart: path.hasSuffix("/") ? nil : Self.dataStart(descriptor, localHeaderOffset)))
            position = nameStart + nameLength + extraLength + commentLength
        }
        self.members = members
        fileSize = size
    }

    /// Where a member's data begins: after its local header, whose own name and extra lengths say how
    /// long it is (they may differ from the central directory's).
    private static func dataStart(_ descriptor: Int32, _ headerOffset: UInt64) -> UInt64? {
        guard let header = try? FileReading.read(descriptor, count: 30, at: Int64(headerOffset)), header.count == 30,
            header[0..<4].elementsEqual([0x50, 0x4B, 0x03, 0x04])
        else { return nil }
        return headerOffset + 30 + UInt64(uint16(header, 26)) + UInt64(uint16(header, 28))
    }

    /// Local header offsets of members whose stored bytes overlap those of a member before them in the
    /// file: a real archive never shares bytes between members; a zip bomb lists one huge member
    /// thousands of times.
    var overlapping: Set<UInt64> {
        var spans: [(start: UInt64, end: UInt64)] = []
        for member in members where !member.isDirectory {
            let dataStart = member.dataStart ?? member.localHeaderOffset + 30
            let (end, overflow) = dataStart.addingReportingOverflow(member.compressedSize)
            spans.append((member.localHeaderOffset, overflow ? .max : end))
        }
        spans.sort { $0.start < $1.start || ($0.start == $1.start && $0.end < $1.end) }
        var overlapping: Set<UInt64> = []
        var reach: UInt64 = 0
        for (index, span) in spans.enumerated() {
            if index > 0 && span.start < reach { overlapping.insert(span.start) }
            reach = max(reach, span.end)
        }
        return overlapping
    }

    /// A member's name: UTF-8 when it is valid as such (flagged or not), else read byte for byte as
    /// Latin-1 (the archivers' CP437 differs only in symbols above 0x7F).
    private static func name(_ bytes: ArraySlice<UInt8>) -> String {
        if let text = String(validating: bytes, as: UTF8.self) { return text }
        return String(decoding: bytes.map { UInt16($0) }, as: UTF16.self)
    }

    static func uint16(_ bytes: [UInt8], _ at: Int) -> UInt16 {
        UInt16(bytes[at]) | UInt16(bytes[at + 1]) << 8
    }

    static func uint32(_ bytes: [UInt8], _ at: Int) -> UInt32 {
        UInt32(bytes[at]) | UInt32(bytes[at + 1]) << 8 | UInt32(bytes[at + 2]) << 16 | UInt32(bytes[at + 3]) << 24
    }
}
