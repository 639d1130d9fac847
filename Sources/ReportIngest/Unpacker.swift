import Foundation
import ReportModel

/// Turns a file or a buffer into report payloads, by their bytes: plain XML or JSON, gzip (single,
/// multi-member, nested), raw zlib, and zip (every member). Decompressed bytes stream straight to the
/// consumer, so memory stays bounded whatever the size.
public struct Unpacker: Sendable {
    public var limits: UnpackLimits

    public init(limits: UnpackLimits = UnpackLimits()) {
        self.limits = limits
    }

    /// Unpacks the file at `path`, reporting every item to `visitor`.
    /// - Throws: ``IngestError`` with code `.unreadable` when the file cannot be read; errors thrown
    ///   by the visitor.
    public func unpack(fileAt path: String, location: InputLocation, visitor: any UnpackVisitor) throws {
        let limits = limits.forOneInput()
        guard let file = SystemPath.openForReading(path) else {
            throw IngestError(
                .unreadable, "cannot open file for reading: \(String(cString: strerror(errno)))", at: location)
        }
        defer { try? file.close() }
        let head = try readChunk(file, count: limits.chunkSize, location: location)
        visitor.inputRead(head.count)
        if Sniffer.sniff(head, isComplete: head.count < 4) == .zip {
            try ZipReader(limits: limits).read(
                descriptor: file.fileDescriptor, location: location, depth: 0, visitor: visitor)
            return
        }
        if Sniffer.sniff(Array(head), isComplete: false) == .xml {
            // Plain XML, the input itself: its consumer reads it straight from the file.
            let consumer = try visitor.open(.dmarcXML, at: location, wholeInput: location.members.isEmpty)
            let chunk = UnsafeMutableRawBufferPointer.allocate(
                byteCount: max(limits.chunkSize, head.count), alignment: 16)
            defer { chunk.deallocate() }
            let feeder = ChunkFeeder(chunk, count: head.copyBytes(to: chunk)) { chunk in
                do {
                    let count = try FileReading.read(file.fileDescriptor, into: chunk)
                    visitor.inputRead(count)
                    return count
                } catch {
                    throw IngestError(.unreadable, "read failed: \(error.localizedDescription)", at: location)
                }
            }
            try consumer.consume(reading: feeder.read)
            return
        }
        let stage = SniffStage(location: location, depth: 0, limits: limits, visitor: visitor, notes: NoteBox())
        var wantsMore = try head.withUnsafeBytes { try stage.write($0) }
        while wantsMore {
            let chunk = try readChunk(file, count: limits.chunkSize, location: location)
            if chunk.isEmpty { break }
            visitor.inputRead(chunk.count)
            wantsMore = try chunk.withUnsafeBytes { try stage.write($0) }
        }
        try stage.finish()
    }

    /// Unpacks bytes already in memory (a mail attachment, standard input, a test fixture).
    public func unpack(bytes: [UInt8], location: InputLocation, visitor: any UnpackVisitor) throws {
        let limits = limits.forOneInput()
        if Sniffer.sniff(bytes, isComplete: true) == .zip {
            try ZipReader(limits: limits).read(bytes: bytes, location: location, depth: 0, visitor: visitor)
            return
        }
        let stage = SniffStage(location: location, depth: 0, limits: limits, visitor: visitor, notes: NoteBox())
        try stage.feed(bytes, chunkSize: limits.chunkSize)
    }

    private func readChunk(_ file: FileHandle, count: Int, location: InputLocation) throws -> Data {
        do {
            return try file.read(upToCount: count) ?? Data()
        } catch {
            throw IngestError(.unreadable, "read failed: \(error.localizedDescription)", at: location)
        }
    }
}

/// Diagnostics that unpacking stages notice, shared along one payload's chain of stages.
final class NoteBox {
    var diagnostics: [Diagnostic] = []
}

/// One step of a payload's stream: takes bytes, passes them on.
protocol ByteStage: AnyObject {
    /// Returns false when no more bytes are wanted.
    func write(_ bytes: UnsafeRawBufferPointer) throws -> Bool
    func finish() throws
    func abort(_ error: IngestError) throws
}

extension ByteStage {
    /// Writes bytes held in memory in chunks (until no more are wanted), then finishes.
    func feed(_ bytes: [UInt8], chunkSize: Int) throws {
        var wantsMore = true
        try bytes.withUnsafeBytes { all in
            var offset = 0
            while wantsMore, offset < all.count {
                let end = min(offset + chunkSize, all.count)
                wantsMore = try write(UnsafeRawBufferPointer(rebasing: all[offset..<end]))
                offset = end
            }
        }
        try finish()
    }
}
