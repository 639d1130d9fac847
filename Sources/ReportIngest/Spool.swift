import Foundation
import Glibc
import ReportModel

/// Collects an input that can be read only once (standard input, a message cut out of an mbox) so that
/// it can be read again (to unpack it, then to keep its original): in memory up to ``memoryLimit``, in a
/// temporary file beyond it, so that an input of any size costs bounded memory. Hashed as it goes.
public final class Spool {
    public let memoryLimit: Int
    /// Where temporary files go: `TMPDIR`, else `/tmp`.
    public let directory: String
    private var bytes: [UInt8] = []
    private var file: SpooledFile?
    private var hasher = SHA256Hasher()
    public private(set) var count: Int64 = 0

    public init(memoryLimit: Int, directory: String? = nil) {
        self.memoryLimit = memoryLimit
        self.directory =
            directory ?? ProcessInfo.processInfo.environment["TMPDIR"].flatMap { $0.isEmpty ? nil : $0 } ?? "/tmp"
    }

    /// - Throws: `POSIXError` when the temporary file cannot be created or written.
    public func append(_ chunk: UnsafeRawBufferPointer) throws {
        guard !chunk.isEmpty else { return }
        count += Int64(chunk.count)
        if let file {
            // Written a megabyte at a time: an mbox hands its message over line by line.
            bytes.append(contentsOf: chunk)
            if bytes.count >= Self.writeSize { try flush(to: file) }
            return
        }
        guard bytes.count + chunk.count > memoryLimit else {
            bytes.append(contentsOf: chunk)
            return
        }
        let file = try SpooledFile(in: directory)
        bytes.append(contentsOf: chunk)
        try flush(to: file)
        self.file = file
    }

    private static let writeSize = 1 << 20

    /// Hashes what is held and writes it to the file (hashing a megabyte at a time, not line by line).
    private func flush(to file: SpooledFile) throws {
        hasher.update(bytes)
        try bytes.withUnsafeBytes { try file.write($0) }
        bytes.removeAll(keepingCapacity: true)
    }

    public func append(_ chunk: some Collection<UInt8>) throws {
        if let done = try chunk.withContiguousStorageIfAvailable({ try append(UnsafeRawBufferPointer($0)) }) {
            return done
        }
        try Array(chunk).withUnsafeBytes { try append($0) }
    }

    /// What was collected; the spool is empty again afterwards.
    /// - Throws: `POSIXError` when the end of a large input cannot be written to its temporary file.
    public func finish() throws -> SpooledInput {
        defer {
            bytes = []
            file = nil
            count = 0
            hasher = SHA256Hasher()
        }
        if let file {
            try flush(to: file)
            bytes = []
            file.size = count
            return SpooledInput(content: .file(file), sha256: hasher.finalize())
        }
        hasher.update(bytes)
        return SpooledInput(content: .bytes(bytes), sha256: hasher.finalize())
    }
}

/// An input collected by a ``Spool``, with its SHA-256.
public struct SpooledInput: Sendable {
    public enum Content: Sendable {
        case bytes([UInt8])
        case file(SpooledFile)
    }

    public var content: Content
    public var sha256: [UInt8]

    public var size: Int64 {
        switch content {
        case .bytes(let bytes): Int64(bytes.count)
        case .file(let file): file.size
        }
    }

    /// The whole input in memory (for tests and small inputs).
    public func readAll() throws -> [UInt8] {
        switch content {
        case .bytes(let bytes):
            return bytes
        case .file(let file):
            guard let handle = SystemPath.openForReading(file.path) else {
                throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO)
            }
            return try FileReading.read(handle.fileDescriptor, count: Int(file.size))
        }
    }
}

/// A temporary file holding a spooled input, removed when the last reference to it goes.
public final class SpooledFile: @unchecked Sendable {
    // @unchecked: written by the spool's thread alone, then only read (by path) once handed on.
    public let path: String
    public internal(set) var size: Int64 = 0
    /// Open for reading and writing (`pread` reads it at any offset).
    let descriptor: Int32

    init(in directory: String) throws {
        var template = Array("\(directory)/rua-spool-XXXXXX".utf8CString)
        descriptor = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        guard descriptor >= 0 else {
            throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO, userInfo: [NSFilePathErrorKey: directory])
        }
        _ = fcntl(descriptor, F_SETFD, FD_CLOEXEC)
        path = String(cString: template)
    }

    func write(_ bytes: UnsafeRawBufferPointer) throws {
        var written = 0
        while written < bytes.count {
            let count = Glibc.write(descriptor, bytes.baseAddress! + written, bytes.count - written)
            if count < 0 {
                if errno == EINTR { continue }
                throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO, userInfo: [NSFilePathErrorKey: path])
            }
            written += count
        }
    }

    deinit {
        close(descriptor)
        unlink(path)
    }
}
