import CZlibShim
import Foundation
import ReportModel
import ZIPFoundation

/// Reads every member of a zip archive through the sniffing stages, with the member count and the
/// decompressed-size cap enforced while extracting (a member's declared size can lie) and the CRC
/// checked with zlib (ZIPFoundation's own CRC is slow on Linux).
struct ZipReader {
    let limits: UnpackLimits

    private enum Stop: Error {
        case declined
        case tooLarge
        case visitorFailed(any Error)
    }

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

    /// Streams one member's data into the sniffing stages. ZIPFoundation lists the members, but the
    /// data is read and inflated here, bounded by the member's declared size and the end of the file:
    /// ZIPFoundation's Linux inflate ignores the declared size and, given a deflate stream that never
    /// ends, reads on at end of file forever (found by fuzzing).
    private func extract(
        _ entry: Entry, from archive: Archive, location: InputLocation, depth: Int, visitor: any UnpackVisitor
    )
        throws
    {
        let stage = SniffStage(location: location, depth: depth, limits: limits, visitor: visitor, notes: NoteBox())
        var crc = crc32(0, nil, 0)
        var size: Int64 = 0
        let cap = limits.maxReportBytes
        do {
            let data = try MemberData(entry, in: archive)
            defer { try? data.file.close() }
            let sink: (UnsafeRawBufferPointer) throws -> Void = { buffer in
                guard let base = buffer.baseAddress, !buffer.isEmpty else { return }
                size += Int64(buffer.count)
                if size > cap { throw Stop.tooLarge }
                crc = crc32(crc, base.assumingMemoryBound(to: Bytef.self), uInt(buffer.count))
                let wantsMore: Bool
                do {
                    wantsMore = try stage.write(buffer)
                } catch {
                    throw Stop.visitorFailed(error)
                }
                if !wantsMore { throw Stop.declined }
            }
            try data.stream(to: sink)
        } catch Stop.declined {
            try stage.finish()
            return
        } catch Stop.tooLarge {
            try stage.abort(
                IngestError(
                    .tooLarge,
                    "decompressed size exceeds the limit of \(cap) bytes (--max-report-bytes); possible zip bomb",
                    at: location))
            return
        } catch Stop.visitorFailed(let error) {
            throw error
        } catch let error as MemberData.Failure {
            try stage.abort(IngestError(.corrupt, "zip member cannot be extracted: \(error.reason)", at: location))
            return
        } catch {
            try stage.abort(IngestError(.corrupt, "zip member cannot be extracted (\(error))", at: location))
            return
        }
        if UInt32(truncatingIfNeeded: crc) != entry.checksum {
            try stage.abort(
                IngestError(
                    .corrupt,
                    "zip member fails its CRC-32 check (stored \(String(entry.checksum, radix: 16)), "
                        + "computed \(String(UInt32(truncatingIfNeeded: crc), radix: 16)))",
                    at: location))
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
