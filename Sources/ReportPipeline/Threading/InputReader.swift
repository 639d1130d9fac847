import DMARCParser
import Foundation
import ReportIngest
import ReportModel
import ReportStore

/// The reading side of an import, run on its own thread: walks the paths, reads and hashes each file,
/// skips content already stored, unpacks and parses, and sends everything to the writer as events.
/// It never writes to the database.
struct InputReader: Sendable {
    /// What to read: paths given by the user, or inputs kept in the database, run again.
    enum Source: Sendable {
        case path(String)
        /// Read from the database when its turn comes, so that memory holds one at a time.
        case stored(id: Int64, name: String, sha256: [UInt8])
    }

    let sources: [Source]
    /// Inputs stored before this run (those stored by this run are caught by the writer, which checks
    /// again in its transaction).
    let storedInputs: StoredInputs
    let unpacker: Unpacker
    let channel: EventChannel

    /// Files up to this size are read once into memory; larger ones are streamed (hashed, then parsed,
    /// then read again in chunks by the writer) so that memory stays bounded.
    static let wholeFileLimit: Int64 = 16 << 20

    func run() {
        readAll()
        storedInputs.close()
        channel.send(.finished)
    }

    private func readAll() {
        for source in sources {
            switch source {
            case .path(let path):
                let files = expand(path)
                channel.send(.discovered(files.count))
                for file in files where !channel.isClosed { read(file) }
            case .stored(let id, let name, let sha256):
                guard !channel.isClosed else { return }
                do {
                    guard let bytes = try storedInputs.lookup(waiting: true)?.original(sha256: sha256)?.decoded()
                    else {
                        channel.send(.failed(path: name, message: "original bytes of input #\(id) not found"))
                        continue
                    }
                    var start = InputStart(path: name, bytes: bytes)
                    start.storedInputID = id
                    submit(start, lookingUp: false)
                } catch {
                    channel.send(.failed(path: name, message: "original bytes of input #\(id) unreadable: \(error)"))
                }
            }
        }
    }

    private func read(_ path: String) {
        if path == Self.standardInput || !Self.isRegularFile(path) {
            // Standard input, a pipe or a device (`/dev/stdin`, a FIFO) can be read once only: whole, as
            // one input, spooled to a temporary file when it is large.
            do {
                submit(InputStart(path: path, spooled: try Self.spool(path)))
            } catch {
                channel.send(.failed(path: path, message: (error as? IngestError)?.message ?? "\(error)"))
            }
            return
        }
        if isMbox(path) {
            readMbox(path)
            return
        }
        let input: InputFile
        do {
            input = try InputFile(path: path, wholeFileLimit: Self.wholeFileLimit)
        } catch let error as IngestError {
            channel.send(.failed(path: path, message: error.message))
            return
        } catch {
            channel.send(.failed(path: path, message: "\(error)"))
            return
        }
        var start = InputStart(path: path, sha256: input.sha256, size: input.size, bytes: input.bytes)
        if input.sha256 == nil { start.pendingDigest = FileDigest(path: path) }
        start.maildirNew = Self.isInMaildirNew(path)
        submit(start)
    }

    /// The path that stands for standard input.
    static let standardInput = "-"

    /// Sends one input (a file, a message of an mbox, standard input) through the unpacker as events.
    /// - Parameter lookingUp: whether to look for the input among those stored before (not for an input
    ///   kept in the database and run again).
    private func submit(_ start: InputStart, lookingUp: Bool = true) {
        let known = lookingUp ? storedInputs.lookup() : nil
        if let sha256 = start.sha256, let items = storedItems(of: start, sha256: sha256, known: known) {
            channel.send(.known(items, maildirNew: start.maildirNew ? start.path : nil))
            return
        }
        channel.send(.input(start))
        let visitor = EventVisitor(channel: channel, input: start.path, digest: start.digest)
        if start.sha256 == nil, let digest = start.pendingDigest, lookingUp {
            // Hashed while it is read: once the digest is there, an input stored before stops being read.
            visitor.checkpoint = { [unowned visitor] in
                guard digest.isReady else { return }
                visitor.checkpoint = nil
                if let items = storedItems(of: start, sha256: try digest.value(), known: storedInputs.lookup()) {
                    throw StoredAlready(items: items)
                }
            }
        }
        let location = InputLocation(path: start.path, members: start.members)
        do {
            if let bytes = start.bytes {
                try unpacker.unpack(bytes: bytes, location: location, visitor: visitor)
            } else {
                try unpacker.unpack(fileAt: start.file, location: location, visitor: visitor)
            }
            channel.send(.endInput)
        } catch let stored as StoredAlready {
            channel.send(.retractInput)
            channel.send(.known(stored.items, maildirNew: start.maildirNew ? start.path : nil))
        } catch {
            channel.send(.abortInput((error as? IngestError)?.message ?? "\(error)"))
        }
    }

    /// Thrown out of the unpacker when a large input's digest shows it stored already.
    private struct StoredAlready: Error {
        var items: [ImportItem]
    }

    /// The items of the input with this content when it is stored already (as of this run's start).
    private func storedItems(of start: InputStart, sha256: [UInt8], known: InputLookup?) -> [ImportItem]? {
        do {
            guard let items = try known?.knownInput(sha256: sha256, name: start.path), !items.isEmpty else {
                return nil
            }
            return start.reported(items)
        } catch {
            // The read-only check is an optimisation; the writer checks again in its transaction.
            return nil
        }
    }

    /// Whether `path` (its symbolic links followed) is a regular file, which can be read more than once.
    static func isRegularFile(_ path: String) -> Bool {
        SystemPath.status(path).map { ($0.st_mode & S_IFMT) == S_IFREG } ?? false
    }

    /// Whether the file starts with an mbox `From ` line.
    private func isMbox(_ path: String) -> Bool {
        guard let handle = SystemPath.openForReading(path) else { return false }
        defer { try? handle.close() }
        return Sniffer.isMbox(Array((try? handle.read(upToCount: 5)) ?? Data()))
    }

    /// Each message of an mbox is an input of its own: stored, deduplicated and committed on its own.
    private func readMbox(_ path: String) {
        do {
            var reader = try MboxReader(path: path, memoryLimit: Int(Self.wholeFileLimit))
            var number = 0
            while !channel.isClosed, let message = try reader.next() {
                number += 1
                var start = InputStart(path: path, spooled: message)
                start.members = ["message \(number)"]
                submit(start)
            }
        } catch {
            channel.send(.failed(path: path, message: "mbox cannot be read: \(error.localizedDescription)"))
        }
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
        let spool = Spool(memoryLimit: Int(wholeFileLimit))
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 20, alignment: 16)
        defer { buffer.deallocate() }
        do {
            while true {
                let count = try FileReading.read(handle.fileDescriptor, into: buffer)
                guard count > 0 else { break }
                try spool.append(UnsafeRawBufferPointer(rebasing: buffer[0..<count]))
            }
        } catch {
            throw IngestError(.unreadable, "read failed: \(error.localizedDescription)", at: .init(path: path))
        }
        return try spool.finish()
    }

    /// Whether a file sits in the `new/` folder of a Maildir (a folder beside `cur/` and `tmp/`).
    static func isInMaildirNew(_ path: String) -> Bool {
        let folder = (path as NSString).deletingLastPathComponent
        guard (folder as NSString).lastPathComponent == "new" else { return false }
        let maildir = (folder as NSString).deletingLastPathComponent
        return SystemPath.isDirectory((maildir as NSString).appendingPathComponent("cur"))
    }

    /// The files to read for `path`: the path itself (whatever it is: a FIFO named on the command line is
    /// read once, whole), or a directory's regular files in name order. A path that does not exist is
    /// reported as failed.
    private func expand(_ path: String) -> [String] {
        if path == Self.standardInput { return [path] }
        guard SystemPath.status(path) != nil else {
            let reason = errno == ENOENT ? "no such file or directory" : String(cString: strerror(errno))
            channel.send(.failed(path: path, message: reason))
            return []
        }
        guard SystemPath.isDirectory(path) else { return [path] }
        var walk = DirectoryWalk(root: path)
        let files = walk.files()
        for (skipped, reason) in walk.passedOver { channel.send(.passedOver(path: skipped, reason: reason)) }
        for (failed, reason) in walk.unreadable { channel.send(.failed(path: failed, message: reason)) }
        return files
    }
}
