import Foundation
import Glibc

/// Reading files through the system call itself: Foundation's `FileHandle.read(upToCount:)` asks the
/// kernel for one block (4 KiB) at a time on Linux, which cost a large import hundreds of thousands of
/// calls on its helper threads.
public enum FileReading {
    /// Reads into `buffer` until it is full or the file ends, from the file's position or from `offset`.
    /// - Returns: the number of bytes read (less than the buffer only at the end of the file).
    /// - Throws: `POSIXError` when the file cannot be read.
    public static func read(
        _ descriptor: Int32, into buffer: UnsafeMutableRawBufferPointer, at offset: Int64? = nil
    ) throws -> Int {
        guard let base = buffer.baseAddress else { return 0 }
        var filled = 0
        while filled < buffer.count {
            let wanted = buffer.count - filled
            let count =
                offset.map { pread(descriptor, base + filled, wanted, off_t($0) + off_t(filled)) }
                ?? Glibc.read(descriptor, base + filled, wanted)
            if count == 0 { break }
            if count < 0 {
                if errno == EINTR { continue }
                throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO)
            }
            filled += count
        }
        return filled
    }

    /// Up to `count` bytes, from the file's position or from `offset`.
    public static func read(_ descriptor: Int32, count: Int, at offset: Int64? = nil) throws -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: count)
        let read = try bytes.withUnsafeMutableBytes { try Self.read(descriptor, into: $0, at: offset) }
        bytes.removeLast(count - read)
        return bytes
    }
}
