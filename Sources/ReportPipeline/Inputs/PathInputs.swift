import Foundation
import ReportIngest
import ReportModel

/// The inputs that paths name: files, directories walked (``DirectoryWalk``), the messages of an mbox
/// (each an input of its own), and what can be read only once — standard input (`-`), a FIFO or device
/// named on the command line — read whole and spooled. A message in a Maildir's `new/` folder is
/// acknowledged, when asked, by moving it to `cur/` with the seen flag.
public struct PathInputs: InputSource {
    private let paths: [String]
    private let markMaildirSeen: Bool
    private let database: String?
    private var nextPath = 0
    /// The files of the path being read, and the next of them.
    private var files: [String] = []
    private var nextFile = 0
    /// The mbox being split, and how many of its messages were read.
    private var mbox: (reader: MboxReader, path: String, count: Int)?
    /// Events found while expanding a path, given out before its files.
    private var pending: [SourceEvent] = []

    /// The path that stands for standard input.
    public static let standardInput = "-"
    /// What can be read only once is held in memory up to this size, in a temporary file beyond it.
    public static let spoolMemoryLimit = 16 << 20

    /// - Parameters:
    ///   - markMaildirSeen: acknowledge each message of a Maildir's `new/` by moving it to `cur/`.
    ///   - database: the database the import writes to: a directory walk passes over its files.
    public init(_ paths: [String], markMaildirSeen: Bool = false, database: String? = nil) {
        self.paths = paths
        self.markMaildirSeen = markMaildirSeen
        self.database = database
    }

    public mutating func next() -> SourceEvent? {
        while true {
            if !pending.isEmpty { return pending.removeFirst() }
            if mbox != nil, let event = nextMessage() { return event }
            if nextFile < files.count {
                let file = files[nextFile]
                nextFile += 1
                if let event = read(file) { return event }
                continue
            }
            guard nextPath < paths.count else { return nil }
            expand(paths[nextPath])
            nextPath += 1
        }
    }

    /// The event for one file, or `nil` when it is an mbox whose messages come next.
    private mutating func read(_ path: String) -> SourceEvent? {
        if path == Self.standardInput || !Self.isRegularFile(path) {
            // Read once, whole: a pipe cannot be read twice (sniffed, then read).
            do {
                return .input(ImportInput(name: path, content: .spooled(try Self.spool(path))))
            } catch {
                return .unreadable(name: path, reason: (error as? IngestError)?.message ?? "\(error)")
            }
        }
        if Self.isMbox(path) {
            do {
                mbox = (try MboxReader(path: path, memoryLimit: Self.spoolMemoryLimit), path, 0)
                return nil
            } catch {
                return .unreadable(name: path, reason: "mbox cannot be read: \(error.localizedDescription)")
            }
        }
        var input = ImportInput(name: path, content: .file(path: path))
        if markMaildirSeen && Self.isInMaildirNew(path) {
            input.acknowledge = { _ in try Self.markSeen(path) }
        }
        return .input(input)
    }

    /// The next message of the mbox being split; `nil` at its end.
    private mutating func nextMessage() -> SourceEvent? {
        guard var current = mbox else { return nil }
        do {
            guard let message = try current.reader.next() else {
                mbox = nil
                return nil
            }
            current.count += 1
            mbox = current
            return .input(
                ImportInput(name: current.path, members: ["message \(current.count)"], content: .spooled(message)))
        } catch {
            mbox = nil
            return .unreadable(name: current.path, reason: "mbox cannot be read: \(error.localizedDescription)")
        }
    }

    /// Finds the files to read for `path`: the path itself (whatever it is: a FIFO named on the command
    /// line is read once, whole), or a directory's regular files in name order. A path that does not
    /// exist is unreadable.
    private mutating func expand(_ path: String) {
        files = []
        nextFile = 0
        defer { pending.append(.found(files.count)) }
        if path == Self.standardInput {
            files = [path]
            return
        }
        guard SystemPath.status(path) != nil else {
            let reason = errno == ENOENT ? "no such file or directory" : String(cString: strerror(errno))
            pending.append(.unreadable(name: path, reason: reason))
            return
        }
        guard SystemPath.isDirectory(path) else {
            files = [path]
            return
        }
        var walk = DirectoryWalk(root: path, database: database)
        files = walk.files()
        pending += walk.passedOver.map { .passedOver(name: $0.path, reason: $0.reason) }
        pending += walk.unreadable.map { .unreadable(name: $0.path, reason: $0.reason) }
    }

    /// Reads standard input (`-`) or a file that can be read only once, whole.
    static func spool(_ path: String) throws -> SpooledInput {
        let handle: FileHandle
        if path == standardInput {
            handle = FileHandle.standardInput
        } else {
            guard let opened = SystemPath.openForReading(path) else {
                throw IngestError(
                    .unreadable, "cannot open for reading: \(String(cString: strerror(errno)))", at: .init(path: path))
            }
            handle = opened
        }
        let spool = Spool(memoryLimit: spoolMemoryLimit)
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 20, alignment: 16)
        defer { buffer.deallocate() }
        do {
            while true {
                let count = try FileReading.read(handle.fileDescriptor, into: buffer)
                guard count > 0 else { break }
                try spool.append(UnsafeRawBufferPointer(rebasing: buffer[0..<count]))
            }
            return try spool.finish()
        } catch {
            throw IngestError(.unreadable, "read failed: \(error.localizedDescription)", at: .init(path: path))
        }
    }

    /// Whether `path` (its symbolic links followed) is a regular file, which can be read more than once.
    static func isRegularFile(_ path: String) -> Bool {
        SystemPath.status(path).map { ($0.st_mode & S_IFMT) == S_IFREG } ?? false
    }

    /// Whether the file starts with an mbox `From ` line.
    private static func isMbox(_ path: String) -> Bool {
        guard let handle = SystemPath.openForReading(path) else { return false }
        defer { try? handle.close() }
        return Sniffer.isMbox(Array((try? handle.read(upToCount: 5)) ?? Data()))
    }

    /// Whether a file sits in the `new/` folder of a Maildir (a folder beside `cur/` and `tmp/`).
    static func isInMaildirNew(_ path: String) -> Bool {
        let folder = (path as NSString).deletingLastPathComponent
        guard (folder as NSString).lastPathComponent == "new" else { return false }
        let maildir = (folder as NSString).deletingLastPathComponent
        return SystemPath.isDirectory((maildir as NSString).appendingPathComponent("cur"))
    }

    /// Moves a Maildir message from `new/` to `cur/` with the seen flag (`:2,S`). A message that cannot
    /// be moved stays in `new/` (and is a duplicate next time).
    static func markSeen(_ path: String) throws {
        let name = (path as NSString).lastPathComponent
        let maildir = ((path as NSString).deletingLastPathComponent as NSString).deletingLastPathComponent
        var seenName = name
        if let info = name.range(of: ":2,") {
            let flags = Set(name[info.upperBound...])
            if !flags.contains("S") {
                seenName = String(name[..<info.upperBound]) + String((flags.union(["S"])).sorted())
            }
        } else {
            seenName += ":2,S"
        }
        let target = ((maildir as NSString).appendingPathComponent("cur") as NSString).appendingPathComponent(seenName)
        guard SystemPath.rename(path, to: target) else {
            throw MaildirError(message: "could not be moved to cur/ (errno \(errno))")
        }
    }

    struct MaildirError: Error, CustomStringConvertible {
        var message: String
        var description: String { message }
    }
}
