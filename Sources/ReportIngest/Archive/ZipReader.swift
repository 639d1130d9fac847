import CZlibShim
import Foundation
import ReportModel
import ZIPFoundation

/// Reads every member of a zip archive through the sniffing stages, with the member count and the
/// decompressed-size cap enforced while extracting (a member's declared size can lie) and the CRC
/// checked with zlib (ZIPFoundation's own CRC is slow on Linux).
struct ZipReader {
    let limits: UnpackLimits

    /// Reads a zip held in memory. It goes through a temporary file: ZIPFoundation's in-memory archive
    /// traps on some crafted archives ("Range requires lowerBound <= upperBound" in MemoryFile.readData,
    /// found by fuzzing), while its file-backed reading fails with an error the caller can report.
    func read(bytes: [UInt8], location: InputLocation, depth: Int, visitor: any UnpackVisitor) throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("rua-zip-\(UUID().uuidString).zip")
        do {
            try Data(bytes).write(to: file)
        } catch {
            throw IngestError(
                .unreadable, "cannot write a temporary copy of the zip: \(error.localizedDescription)", at: location)
        }
        defer { try? FileManager.default.removeItem(at: file) }
        let archive: Archive
        do {
            archive = try Archive(url: file, accessMode: .read)
        } catch {
            try visitor.rejected(Self.openError(error, at: location))
            return
        }
        try read(archive, location: location, depth: depth, visitor: visitor)
    }

    static func openError(_ error: any Error, at location: InputLocation) -> IngestError {
        if case Archive.ArchiveError.missingEndOfCentralDirectoryRecord = error {
            return IngestError(
                .truncated, "zip archive is truncated or damaged: its central directory is missing", at: location)
        }
        return IngestError(.corrupt, "zip archive cannot be read (\(error))", at: location)
    }

    func read(_ archive: Archive, location: InputLocation, depth: Int, visitor: any UnpackVisitor) throws {
        var seen = 0
        var readAny = false
        for entry in archive {
            seen += 1
            if seen > limits.maxZipMembers {
                try visitor.rejected(
                    IngestError(
                        .tooManyMembers,
                        "zip archive has more than \(limits.maxZipMembers) members; the rest were not read",
                        at: location))
                return
            }
            readAny = true
            let path = entry.path
            let memberLocation = location.appending(member: path.isEmpty ? "(unnamed member)" : path)
            switch entry.type {
            case .directory:
                continue
            case .symlink:
                try visitor.skipped(at: memberLocation, reason: "symbolic link in zip, not a report")
                continue
            case .file:
                break
            }
            if Self.isMacMetadata(path) {
                try visitor.skipped(at: memberLocation, reason: "macOS metadata (__MACOSX/ or ._ file), not a report")
                continue
            }
            try extract(entry, from: archive, location: memberLocation, depth: depth, visitor: visitor)
        }
        if !readAny {
            try visitor.rejected(IngestError(.empty, "zip archive has no members", at: location))
        }
    }

    /// Reads one member. ZIPFoundation lists the members, but the data is read and inflated here, bounded
    /// by the member's declared size and the end of the file: ZIPFoundation's Linux inflate ignores the
    /// declared size and, given a deflate stream that never ends, reads on at end of file forever (found
    /// by fuzzing). Its first bytes decide the way: plain XML is read by its consumer itself (pulled,
    /// as a large plain file is), anything else streams through the sniffing stages. Either way the
    /// decompressed-size cap holds while reading and the CRC is checked when the content ends, before
    /// the report can be kept.
    private func extract(
        _ entry: Entry, from archive: Archive, location: InputLocation, depth: Int, visitor: any UnpackVisitor
    )
        throws
    {
        let data: MemberData
        let content: MemberContent
        do {
            data = try MemberData(entry, in: archive)
            content = try data.content()
        } catch {
            try visitor.rejected(CheckedRead.extractionError(error, at: location))
            return
        }
        defer { try? data.file.close() }
        var reader = CheckedRead(
            content: content, cap: limits.maxReportBytes, checksum: entry.checksum, location: location)
        let chunk = UnsafeMutableRawBufferPointer.allocate(byteCount: 64 * 1024, alignment: 16)
        defer { chunk.deallocate() }
        var count: Int
        do {
            count = try reader.read(into: chunk)
        } catch let problem as CheckedRead.Problem {
            try visitor.rejected(problem.error)
            return
        }
        if Sniffer.sniff(Array(chunk[0..<count]), isComplete: count < chunk.count) == .xml {
            let consumer = try visitor.open(.dmarcXML, at: location, wholeInput: false)
            let feeder = ChunkFeeder(chunk, count: count) { try reader.read(into: $0) }
            do {
                try consumer.consume(reading: feeder.read)
            } catch let problem as CheckedRead.Problem {
                try consumer.abort(problem.error)
            }
            return
        }
        let stage = SniffStage(location: location, depth: depth, limits: limits, visitor: visitor, notes: NoteBox())
        do {
            while count > 0 {
                // A stage that wants no more has decided: it finishes without the rest (nor its CRC).
                guard try stage.write(UnsafeRawBufferPointer(rebasing: chunk[0..<count])) else { break }
                count = try reader.read(into: chunk)
            }
        } catch let problem as CheckedRead.Problem {
            try stage.abort(problem.error)
            return
        }
        try stage.finish()
    }

    /// Finder's resource forks and folder metadata, which Macs add to zips they create.
    static func isMacMetadata(_ path: String) -> Bool {
        let components = path.split(separator: "/")
        if components.first == "__MACOSX" { return true }
        guard let name = components.last else { return false }
        return name.hasPrefix("._") || name == ".DS_Store"
    }
}

/// A zip member's content read within the decompressed-size cap, its CRC-32 checked when it ends.
private struct CheckedRead {
    /// Why the member cannot be read: the rejection to report.
    struct Problem: Error {
        let error: IngestError
    }

    let content: MemberContent
    let cap: Int64
    let checksum: UInt32
    let location: InputLocation
    private var size: Int64 = 0
    private var crc = crc32(0, nil, 0)

    init(content: MemberContent, cap: Int64, checksum: UInt32, location: InputLocation) {
        self.content = content
        self.cap = cap
        self.checksum = checksum
        self.location = location
    }

    /// The next bytes into `buffer`; 0 at the end, once the CRC has been found right.
    /// - Throws: ``Problem`` when the member is corrupt, truncated, too large, or fails its CRC.
    mutating func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        let count: Int
        do {
            count = try content.read(into: buffer)
        } catch {
            throw Problem(error: Self.extractionError(error, at: location))
        }
        guard count > 0, let base = buffer.baseAddress else {
            guard UInt32(truncatingIfNeeded: crc) == checksum else {
                throw Problem(
                    error: IngestError(
                        .corrupt,
                        "zip member fails its CRC-32 check (stored \(String(checksum, radix: 16)), "
                            + "computed \(String(UInt32(truncatingIfNeeded: crc), radix: 16)))",
                        at: location))
            }
            return 0
        }
        size += Int64(count)
        if size > cap {
            throw Problem(
                error: IngestError(
                    .tooLarge,
                    "decompressed size exceeds the limit of \(cap) bytes (--max-report-bytes); possible zip bomb",
                    at: location))
        }
        crc = crc32(crc, base.assumingMemoryBound(to: Bytef.self), uInt(count))
        return count
    }

    static func extractionError(_ error: any Error, at location: InputLocation) -> IngestError {
        if let failure = error as? MemberData.Failure {
            return IngestError(.corrupt, "zip member cannot be extracted: \(failure.reason)", at: location)
        }
        return IngestError(.corrupt, "zip member cannot be extracted (\(error))", at: location)
    }
}
