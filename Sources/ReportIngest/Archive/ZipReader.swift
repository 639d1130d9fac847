import CZlibShim
import Foundation
import ReportModel

/// Reads every member of a zip archive through the sniffing stages, with the member count and the
/// decompressed-size caps enforced while extracting (a member's declared size can lie) and the CRC
/// checked with zlib.
struct ZipReader {
    let limits: UnpackLimits

    /// Reads a zip held in memory, through a temporary file (members are read from a file descriptor).
    func read(bytes: [UInt8], location: InputLocation, depth: Int, visitor: any UnpackVisitor) throws {
        let spool = Spool(memoryLimit: 0)
        let archive: SpooledInput
        do {
            try spool.append(bytes)
            archive = try spool.finish()
        } catch {
            throw Self.spoolFailure(error, at: location)
        }
        try read(archive, location: location, depth: depth, visitor: visitor)
    }

    /// Reads a zip collected by a ``Spool`` into a temporary file.
    func read(_ archive: SpooledInput, location: InputLocation, depth: Int, visitor: any UnpackVisitor) throws {
        guard case .file(let file) = archive.content else {
            // A spool without a memory allowance always writes its file; an empty one has none.
            try visitor.rejected(IngestError(.empty, "zip archive has no members", at: location))
            return
        }
        try read(descriptor: file.descriptor, location: location, depth: depth, visitor: visitor)
    }

    static func spoolFailure(_ error: any Error, at location: InputLocation) -> IngestError {
        IngestError(
            .unreadable, "cannot write a temporary copy of the zip: \(error.localizedDescription)", at: location)
    }

    /// Reads every member the central directory lists, in its order. Encrypted members and members whose
    /// data overlaps another's are rejected by name; the members' decompressed bytes together are bounded
    /// by ``UnpackLimits/maxInputBytes``.
    func read(descriptor: Int32, location: InputLocation, depth: Int, visitor: any UnpackVisitor) throws {
        let directory: ZipDirectory
        do {
            directory = try ZipDirectory(descriptor: descriptor)
        } catch let failure as ZipDirectory.Failure {
            try visitor.rejected(IngestError(failure.code, failure.message, at: location))
            return
        }
        guard !directory.members.isEmpty else {
            try visitor.rejected(IngestError(.empty, "zip archive has no members", at: location))
            return
        }
        let overlapping = directory.overlapping
        let budget = limits.budget ?? InputBudget()
        for member in directory.members {
            budget.members += 1
            if budget.members > limits.maxZipMembers {
                try visitor.rejected(
                    IngestError(
                        .tooManyMembers,
                        "more than \(limits.maxZipMembers) archive members in one input; the rest were not read",
                        at: location))
                return
            }
            let path = member.path
            let memberLocation = location.appending(member: path.isEmpty ? "(unnamed member)" : path)
            if member.isDirectory { continue }
            if member.isSymbolicLink {
                try visitor.skipped(at: memberLocation, reason: "symbolic link in zip, not a report")
                continue
            }
            if Self.isMacMetadata(path) {
                try visitor.skipped(at: memberLocation, reason: "macOS metadata (__MACOSX/ or ._ file), not a report")
                continue
            }
            if member.isEncrypted {
                try visitor.rejected(
                    IngestError(
                        .corrupt, "zip member is encrypted: it cannot be read without its password",
                        at: memberLocation))
                continue
            }
            if overlapping.contains(member.localHeaderOffset) {
                try visitor.rejected(
                    IngestError(
                        .corrupt,
                        "zip member's data overlaps another member's (no real archive does; zip bombs do): not read",
                        at: memberLocation))
                continue
            }
            let left = limits.maxInputBytes - budget.inflated
            guard left > 0 else {
                try visitor.rejected(
                    IngestError(
                        .tooLarge,
                        "not read: the archive's members already decompressed to \(limits.maxInputBytes) bytes, "
                            + "the limit for one input", at: memberLocation))
                continue
            }
            let read = try extract(
                member, in: directory, descriptor: descriptor, budget: left, location: memberLocation, depth: depth,
                visitor: visitor)
            // Layers inside the member (a gzip, a zip) counted what they inflated themselves.
            budget.inflated += read
        }
    }

    /// Reads one member; returns how many bytes it decompressed to. Its first bytes decide the way: plain
    /// XML is read by its consumer itself (pulled, as a large plain file is), anything else streams
    /// through the sniffing stages. Either way the decompressed-size cap holds while reading and the CRC
    /// is checked when the content ends, before the report can be kept.
    private func extract(
        _ member: ZipDirectory.Member, in directory: ZipDirectory, descriptor: Int32, budget: Int64,
        location: InputLocation, depth: Int, visitor: any UnpackVisitor
    ) throws -> Int64 {
        let content: MemberContent
        do {
            content = try MemberData(member, in: directory, descriptor: descriptor).content()
        } catch {
            try visitor.rejected(CheckedRead.extractionError(error, at: location))
            return 0
        }
        let cap =
            budget < limits.maxReportBytes
            ? CheckedRead.Cap(
                bytes: budget, reason: "the \(budget) bytes left of the limit for one input")
            : CheckedRead.Cap(
                bytes: limits.maxReportBytes, reason: "the limit of \(limits.maxReportBytes) bytes (--max-report-bytes)"
            )
        var reader = CheckedRead(content: content, cap: cap, checksum: member.checksum, location: location)
        let chunk = UnsafeMutableRawBufferPointer.allocate(byteCount: 64 * 1024, alignment: 16)
        defer { chunk.deallocate() }
        var count: Int
        do {
            count = try reader.read(into: chunk)
        } catch let problem as CheckedRead.Problem {
            try visitor.rejected(problem.error)
            return reader.size
        }
        if Sniffer.sniff(Array(chunk[0..<count]), isComplete: count < chunk.count) == .xml {
            let consumer = try visitor.open(.dmarcXML, at: location, wholeInput: false)
            let feeder = ChunkFeeder(chunk, count: count) { try reader.read(into: $0) }
            do {
                try consumer.consume(reading: feeder.read)
            } catch let problem as CheckedRead.Problem {
                try consumer.abort(problem.error)
            }
            return reader.size
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
            return reader.size
        }
        try stage.finish()
        return reader.size
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

    /// The most bytes the member may decompress to, and which limit that is.
    struct Cap {
        var bytes: Int64
        var reason: String
    }

    let content: MemberContent
    let cap: Cap
    let checksum: UInt32
    let location: InputLocation
    private(set) var size: Int64 = 0
    private var crc = crc32(0, nil, 0)

    init(content: MemberContent, cap: Cap, checksum: UInt32, location: InputLocation) {
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
        if size > cap.bytes {
            throw Problem(
                error: IngestError(
                    .tooLarge,
                    "decompressed size exceeds \(cap.reason); possible zip bomb", at: location))
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
