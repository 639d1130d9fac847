import Foundation
import ReportIngest
import ReportModel
import ReportStore

/// A file about to be imported: its SHA-256, and its bytes when it is small enough to hold.
struct InputFile {
    let path: String
    let sha256: [UInt8]
    let size: Int64
    /// The whole file, when it is at most the limit; `nil` for a large file that is streamed.
    let bytes: [UInt8]?

    /// Reads (small file) or hashes in chunks (large file).
    /// - Throws: ``IngestError`` `.unreadable` when the file cannot be opened or read.
    init(path: String, wholeFileLimit: Int64) throws {
        self.path = path
        let location = InputLocation(path: path)
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw IngestError(.unreadable, "cannot open file for reading", at: location)
        }
        defer { try? handle.close() }
        do {
            let length = try handle.seekToEnd()
            try handle.seek(toOffset: 0)
            if length <= UInt64(wholeFileLimit) {
                let data = try handle.readToEnd() ?? Data()
                let bytes = Array(data)
                self.bytes = bytes
                self.size = Int64(bytes.count)
                self.sha256 = SHA256Hasher.digest(bytes)
                return
            }
            let hasher = SHA256Hasher()
            var size: Int64 = 0
            while let chunk = try handle.read(upToCount: 1 << 20), !chunk.isEmpty {
                size += Int64(chunk.count)
                chunk.withUnsafeBytes { hasher.update($0) }
            }
            self.bytes = nil
            self.size = size
            self.sha256 = hasher.finalize()
        } catch {
            throw IngestError(.unreadable, "read failed: \(error.localizedDescription)", at: location)
        }
    }
}
