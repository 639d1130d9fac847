import Foundation
import ReportIngest
import ReportModel
import ReportStore

/// Imports report files into the database: walks paths, keeps every input's original bytes, unpacks
/// and parses each payload, and stores each report in its own savepoint within the input's transaction.
/// This is the API the command line and the end-to-end tests use.
public final class ImportPipeline {
    private let database: ReportDatabase
    private let unpacker: Unpacker
    private let clock: () -> Date

    /// - Parameters:
    ///   - database: where reports go.
    ///   - limits: decompression caps.
    ///   - clock: the time stamped on imported inputs.
    public init(database: ReportDatabase, limits: UnpackLimits = UnpackLimits(), clock: @escaping () -> Date = Date.init) {
        self.database = database
        self.unpacker = Unpacker(limits: limits)
        self.clock = clock
    }

    /// Imports files and directories (recursively; hidden files are passed over).
    /// - Parameter onItem: called for every item handled, after its input was committed.
    /// - Returns: the totals. Bad inputs never stop the batch: they end up as rejected items or failures.
    @discardableResult
    public func importPaths(_ paths: [String], onItem: (ImportItem) -> Void = { _ in }) -> ImportSummary {
        var summary = ImportSummary()
        for path in paths {
            for file in expand(path, summary: &summary) {
                importFile(file, summary: &summary, onItem: onItem)
            }
        }
        return summary
    }

    /// Files up to this size are read once into memory; larger ones are streamed (hashed, then parsed,
    /// then copied into the database in chunks) so that memory stays bounded.
    static let wholeFileLimit: Int64 = 16 << 20

    /// Imports one file.
    public func importFile(_ path: String, summary: inout ImportSummary, onItem: (ImportItem) -> Void) {
        summary.inputs += 1
        let location = InputLocation(path: path)
        do {
            let input = try InputFile(path: path, wholeFileLimit: Self.wholeFileLimit)
            if let known = try database.knownInput(sha256: input.sha256, name: path) {
                for item in known {
                    summary.count(item)
                    onItem(item)
                }
                return
            }
            let items = try database.importInput(
                name: path, sha256: input.sha256, content: input.content, importedAt: Int64(clock().timeIntervalSince1970)
            ) { session in
                let visitor = InputVisitor(session: session, input: path)
                if let bytes = input.bytes {
                    try unpacker.unpack(bytes: bytes, location: location, visitor: visitor)
                } else {
                    try unpacker.unpack(fileAt: path, location: location, visitor: visitor)
                }
                return visitor.items
            }
            for item in items {
                summary.count(item)
                onItem(item)
            }
        } catch let error as StoreError {
            summary.failures.append("\(path): \(error.message)")
            summary.temporaryFailure = summary.temporaryFailure || error.isTemporary
        } catch {
            summary.failures.append("\(path): \(error)")
        }
    }

    /// The files under `path`: the path itself, or a directory's regular files in name order.
    private func expand(_ path: String, summary: inout ImportSummary) -> [String] {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            summary.failures.append("\(path): no such file or directory")
            return []
        }
        guard isDirectory.boolValue else { return [path] }
        guard let enumerator = FileManager.default.enumerator(atPath: path) else {
            summary.failures.append("\(path): directory cannot be read")
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
            if FileManager.default.fileExists(atPath: full, isDirectory: &childIsDirectory), !childIsDirectory.boolValue {
                files.append(full)
            }
        }
        return files.sorted()
    }
}
