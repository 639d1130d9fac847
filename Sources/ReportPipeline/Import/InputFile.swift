import Foundation
import ReportIngest
import ReportModel
import ReportStore
import WorkQueues

/// A file about to be imported: its bytes and SHA-256 when it is small enough to hold, else its size
/// (a large file, or a zip archive of a megabyte or more, is streamed, and hashed on a thread of its own
/// meanwhile: ``FileDigest``).
struct InputFile {
    let path: String
    /// The SHA-256 of a file held in memory; `nil` for a large file.
    let sha256: [UInt8]?
    let size: Int64
    /// The whole file, when it is at most the limit; `nil` for a large file that is streamed.
    let bytes: [UInt8]?

    /// Zip archives from this size on are read from their file (as large files are) rather than held:
    /// the archive reader works on a file, and would otherwise get a temporary copy.
    static let smallestStreamedZip: UInt64 = 1 << 20

    /// Reads a small file, or finds a large file's size.
    /// - Throws: ``IngestError`` `.unreadable` when the file cannot be opened or read.
    init(path: String, wholeFileLimit: Int64) throws {
        self.path = path
        let location = InputLocation(path: path)
        let handle = try Self.open(path)
        defer { try? handle.close() }
        do {
            let head = Array(try handle.read(upToCount: 4) ?? Data())
            let length = try handle.seekToEnd()
            try handle.seek(toOffset: 0)
            let streamedZip =
                length >= Self.smallestStreamedZip && Sniffer.sniff(head, isComplete: head.count < 4) == .zip
            if length <= UInt64(wholeFileLimit) && !streamedZip {
                let data = try handle.readToEnd() ?? Data()
                let bytes = Array(data)
                self.bytes = bytes
                self.size = Int64(bytes.count)
                self.sha256 = SHA256Hasher.digest(bytes)
                return
            }
            self.bytes = nil
            self.size = Int64(length)
            self.sha256 = nil
        } catch {
            throw IngestError(.unreadable, "read failed: \(error.localizedDescription)", at: location)
        }
    }

    private static func open(_ path: String) throws -> FileHandle {
        guard let handle = SystemPath.openForReading(path) else {
            throw IngestError(
                .unreadable, "cannot open file for reading: \(String(cString: strerror(errno)))",
                at: InputLocation(path: path))
        }
        return handle
    }

    /// The SHA-256 of the file at `path`, read in 1 MiB chunks.
    static func digest(path: String) throws -> [UInt8] {
        let location = InputLocation(path: path)
        let handle = try open(path)
        defer { try? handle.close() }
        do {
            let hasher = SHA256Hasher()
            let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 20, alignment: 16)
            defer { buffer.deallocate() }
            while true {
                let count = try FileReading.read(handle.fileDescriptor, into: buffer)
                guard count > 0 else { break }
                hasher.update(UnsafeRawBufferPointer(rebasing: buffer[0..<count]))
            }
            return hasher.finalize()
        } catch {
            throw IngestError(.unreadable, "read failed: \(error.localizedDescription)", at: location)
        }
    }
}

/// A large file's SHA-256, computed on a thread of its own while the file is parsed, so that neither
/// the parse nor the store waits for a first pass over the whole file.
final class FileDigest: Sendable {
    private let result = OneShot<Result<[UInt8], any Error>>()

    init(path: String) {
        let result = self.result
        HelperThread.start(name: "rua-digest") { result.set(Result { try InputFile.digest(path: path) }) }
    }

    /// Whether the digest is computed (``value()`` answers at once).
    var isReady: Bool { result.current != nil }

    /// The digest, waiting for it.
    func value() throws -> [UInt8] {
        try result.wait().get()
    }
}
