import Foundation
import Glibc
import ReportModel

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

/// System calls on paths that may hold bytes that are not UTF-8 (``PathBytes``): Foundation's own file
/// APIs would turn such a name into a different one.
public enum SystemPath {
    /// Runs `body` with `path` as the C string of its bytes.
    public static func withCString<T>(_ path: String, _ body: (UnsafePointer<CChar>) throws -> T) rethrows -> T {
        let bytes = PathBytes.bytes(path).map { CChar(bitPattern: $0) } + [0]
        return try bytes.withUnsafeBufferPointer { try body($0.baseAddress!) }
    }

    /// Opens `path` for reading; `nil` with `errno` set when it cannot be.
    public static func openForReading(_ path: String, flags: Int32 = 0) -> FileHandle? {
        let descriptor = withCString(path) { Glibc.open($0, O_RDONLY | O_CLOEXEC | flags) }
        return descriptor >= 0 ? FileHandle(fileDescriptor: descriptor, closeOnDealloc: true) : nil
    }

    /// The file's status (its symbolic link's own with `followingLinks` false); `nil` when there is none.
    public static func status(_ path: String, followingLinks: Bool = true) -> stat? {
        var status = stat()
        let result = withCString(path) { followingLinks ? stat($0, &status) : lstat($0, &status) }
        return result == 0 ? status : nil
    }

    public static func isDirectory(_ path: String) -> Bool {
        status(path).map { ($0.st_mode & S_IFMT) == S_IFDIR } ?? false
    }

    /// Renames a file; false (with `errno`) when it cannot be.
    public static func rename(_ source: String, to target: String) -> Bool {
        withCString(source) { from in withCString(target) { to in Glibc.rename(from, to) == 0 } }
    }

    /// The canonical absolute path (symbolic links resolved), or `nil` when it does not exist.
    public static func resolved(_ path: String) -> String? {
        withCString(path) { pointer in
            guard let resolved = realpath(pointer, nil) else { return nil }
            defer { free(resolved) }
            return PathBytes.string(
                UnsafeBufferPointer(start: resolved, count: strlen(resolved)).map { UInt8(bitPattern: $0) })
        }
    }

    /// The names in a directory (without `.` and `..`), as paths with ``PathBytes`` escapes; `nil` with
    /// `errno` set when the directory cannot be read.
    public static func entries(of directory: String) -> [String]? {
        guard let stream = withCString(directory, { opendir($0) }) else { return nil }
        defer { closedir(stream) }
        var names: [String] = []
        // The name is read where it lies, up to its NUL: a record is only as long as its name
        // (d_reclen), so copying d_name's full 256 bytes could read past the end of readdir's buffer.
        let nameOffset = MemoryLayout<dirent>.offset(of: \dirent.d_name) ?? 19
        while let entry = readdir(stream) {
            let pointer = UnsafeRawPointer(entry).advanced(by: nameOffset).assumingMemoryBound(to: CChar.self)
            let name = Array(UnsafeRawBufferPointer(start: pointer, count: strlen(pointer)))
            if name == [0x2E] || name == [0x2E, 0x2E] { continue }
            names.append(PathBytes.string(name))
        }
        return names
    }
}
