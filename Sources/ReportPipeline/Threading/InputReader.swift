import DMARCParser
import Foundation
import ReportIngest
import ReportModel
import ReportStore

/// The reading side of an import, run on its own thread: walks the paths, reads and hashes each file,
/// skips content already stored, unpacks and parses, and sends everything to the writer as events.
/// It never writes to the database.
struct InputReader: Sendable {
    let paths: [String]
    let databasePath: String
    let unpacker: Unpacker
    let channel: EventChannel

    /// Files up to this size are read once into memory; larger ones are streamed (hashed, then parsed,
    /// then read again in chunks by the writer) so that memory stays bounded.
    static let wholeFileLimit: Int64 = 16 << 20

    func run() {
        // A second, read-only connection: recognising known inputs here spares parsing them at all.
        let known = try? ReportDatabase(path: databasePath, readOnly: true)
        for path in paths {
            for file in expand(path) {
                read(file, known: known)
            }
        }
        known?.close()
        channel.send(.finished)
    }

    private func read(_ path: String, known: ReportDatabase?) {
        let input: InputFile
        do {
            input = try InputFile(path: path, wholeFileLimit: Self.wholeFileLimit)
            if let items = try known?.knownInput(sha256: input.sha256, name: path) {
                channel.send(.known(items))
                return
            }
        } catch let error as IngestError {
            channel.send(.failed(path: path, message: error.message))
            return
        } catch {
            channel.send(.failed(path: path, message: "\(error)"))
            return
        }
        channel.send(.input(InputStart(path: path, sha256: input.sha256, size: input.size, bytes: input.bytes)))
        let visitor = EventVisitor(channel: channel, input: path, sha256: input.sha256)
        let location = InputLocation(path: path)
        do {
            if let bytes = input.bytes {
                try unpacker.unpack(bytes: bytes, location: location, visitor: visitor)
            } else {
                try unpacker.unpack(fileAt: path, location: location, visitor: visitor)
            }
            channel.send(.endInput)
        } catch {
            channel.send(.abortInput((error as? IngestError)?.message ?? "\(error)"))
        }
    }

    /// The files under `path`: the path itself, or a directory's regular files in name order (hidden
    /// files and folders passed over). A path that does not exist is reported as failed.
    private func expand(_ path: String) -> [String] {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            channel.send(.failed(path: path, message: "no such file or directory"))
            return []
        }
        guard isDirectory.boolValue else { return [path] }
        guard let enumerator = FileManager.default.enumerator(atPath: path) else {
            channel.send(.failed(path: path, message: "directory cannot be read"))
            return []
        }
        var files: [String] = []
        while let relative = enumerator.nextObject() as? String {
            let name = (relative as NSString).lastPathComponent
            if name.hasPrefix(".") {
                enumerator.skipDescendants()
                continue
            }
            let full = (path as NSString).appendingPathComponent(relative)
            var childIsDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: full, isDirectory: &childIsDirectory), !childIsDirectory.boolValue
            {
                files.append(full)
            }
        }
        return files.sorted()
    }
}
