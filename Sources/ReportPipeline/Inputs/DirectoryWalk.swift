import Foundation
import ReportIngest
import ReportModel

/// The files of a directory tree to import, in name order. What it reads:
/// - regular files, whatever their names' bytes (``PathBytes``);
/// - symbolic links whose target lies inside the tree (to a file, or to a folder not visited yet).
///
/// What it passes over, each with a note: hidden files and folders (silently, as `ls` does), a Maildir's
/// `tmp/` (messages still being delivered), symbolic links that lead out of the tree (an import of a
/// folder never reads what lies elsewhere: `in/x.xml -> /etc/shadow` is not read), broken links, and
/// anything that is not a regular file (a FIFO would block the import for ever, a device never ends),
/// and Rua's own database with its `-wal`, `-shm` and `-journal` files, when the database lies in the tree.
struct DirectoryWalk {
    let root: String
    /// Entries not read, with why.
    private(set) var passedOver: [(path: String, reason: String)] = []
    /// Folders that could not be listed, with the OS reason.
    private(set) var unreadable: [(path: String, reason: String)] = []
    private var visited: Set<FileIdentity> = []

    private struct FileIdentity: Hashable {
        var device: UInt64
        var inode: UInt64
    }

    /// The folder of the database being imported into, and the names of its files there.
    private let database: (folder: FileIdentity, names: Set<String>)?

    /// - Parameter database: the database the import writes to, passed over if the walk meets it.
    init(root: String, database: String? = nil) {
        self.root = root
        self.database = database.flatMap { path in
            let folder = (path as NSString).deletingLastPathComponent
            guard let status = SystemPath.status(folder.isEmpty ? "." : folder) else { return nil }
            let name = (path as NSString).lastPathComponent
            return (Self.identity(status), [name, name + "-wal", name + "-shm", name + "-journal"])
        }
    }

    private static func identity(_ status: stat) -> FileIdentity {
        FileIdentity(device: UInt64(status.st_dev), inode: UInt64(status.st_ino))
    }

    mutating func files() -> [String] {
        let realRoot = SystemPath.resolved(root) ?? root
        var files: [String] = []
        let rootIdentity = SystemPath.status(root).map(Self.identity)
        if let rootIdentity { visited.insert(rootIdentity) }
        walk(root, identity: rootIdentity, realRoot: realRoot, into: &files)
        return files.sorted()
    }

    private mutating func walk(
        _ folder: String, identity folderIdentity: FileIdentity?, realRoot: String, into files: inout [String]
    ) {
        guard let names = SystemPath.entries(of: folder) else {
            unreadable.append((folder, "directory cannot be read: \(String(cString: strerror(errno)))"))
            return
        }
        let maildir = Self.isMaildir(folder)
        for name in names.sorted() where !name.hasPrefix(".") {
            let path = (folder as NSString).appendingPathComponent(name)
            guard let own = SystemPath.status(path, followingLinks: false) else { continue }
            var status = own
            if (own.st_mode & S_IFMT) == S_IFLNK {
                guard let target = SystemPath.resolved(path), let followed = SystemPath.status(path) else {
                    passedOver.append((path, "a broken symbolic link"))
                    continue
                }
                guard target == realRoot || target.hasPrefix(realRoot.hasSuffix("/") ? realRoot : realRoot + "/")
                else {
                    passedOver.append((path, "a symbolic link that leads out of \(root): not followed"))
                    continue
                }
                status = followed
            }
            switch status.st_mode & S_IFMT {
            case S_IFDIR:
                if maildir && name == "tmp" { continue }
                let identity = Self.identity(status)
                guard visited.insert(identity).inserted else { continue }
                walk(path, identity: identity, realRoot: realRoot, into: &files)
            case S_IFREG:
                if let database, database.folder == folderIdentity, database.names.contains(name) {
                    passedOver.append((path, "the database this import writes to: not read"))
                    continue
                }
                files.append(path)
            default:
                passedOver.append((path, "not a regular file (\(Self.kind(status.st_mode))): not read"))
            }
        }
    }

    /// Whether `folder` is a Maildir: it holds `cur/`, `new/` and `tmp/`.
    static func isMaildir(_ folder: String) -> Bool {
        ["cur", "new", "tmp"].allSatisfy { SystemPath.isDirectory((folder as NSString).appendingPathComponent($0)) }
    }

    private static func kind(_ mode: mode_t) -> String {
        switch mode & S_IFMT {
        case S_IFIFO: "a FIFO"
        case S_IFSOCK: "a socket"
        case S_IFCHR: "a character device"
        case S_IFBLK: "a block device"
        default: "not a file"
        }
    }
}
