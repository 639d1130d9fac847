import Foundation
import GRDBSQLite
import ReportModel

extension StoreError {
    /// The error for SQLite's result `code` with its `message`, classified honestly: "disk is full" is
    /// temporary only when the disk of the database (or of SQLite's temporary files) has less than
    /// ``fullDiskMargin`` bytes free; otherwise SQLite refused something of the input's own.
    /// - Parameter databasePath: the database file, whose disk and OS-level state explain the error.
    public static func sqlite(
        code: Int32, message: String, databasePath: String?, doing what: String? = nil
    ) -> StoreError {
        let prefix = what.map { "cannot \($0): " } ?? ""
        let primary = code & 0xFF
        switch primary {
        case SQLITE_BUSY, SQLITE_LOCKED:
            return StoreError(prefix + message + " (another process holds the database)", isTemporary: true)
        case SQLITE_FULL:
            let directories = [databasePath.map { ($0 as NSString).deletingLastPathComponent }, temporaryDirectory()]
            let free = directories.compactMap { $0 }.map { directory in
                (directory.isEmpty ? "." : directory, freeBytes(directory.isEmpty ? "." : directory))
            }
            if let (directory, bytes) = free.first(where: { ($0.1 ?? Int64.max) < fullDiskMargin }) {
                return StoreError(
                    prefix + "the disk is full (\(formatBytes(bytes ?? 0)) free in \(directory))", isTemporary: true)
            }
            let room = free.map { "\(formatBytes($0.1 ?? 0)) free in \($0.0)" }.joined(separator: ", ")
            return StoreError(
                prefix + "SQLite error \(primary): \(message), though the disk is not full (\(room))",
                concernsDatabase: false)
        case SQLITE_IOERR, SQLITE_CANTOPEN, SQLITE_READONLY, SQLITE_CORRUPT, SQLITE_NOTADB, SQLITE_PERM,
            SQLITE_NOMEM, SQLITE_PROTOCOL, SQLITE_NOLFS, SQLITE_AUTH:
            let reason = databasePath.flatMap(osReason(for:)).map { " (\($0))" } ?? ""
            return StoreError(prefix + "SQLite error \(primary): \(message)\(reason)")
        default:
            return StoreError(prefix + "SQLite error \(primary): \(message)", concernsDatabase: false)
        }
    }

    /// Below this many free bytes the disk counts as full.
    static let fullDiskMargin: Int64 = 64 << 20

    /// Where SQLite puts its temporary files: `SQLITE_TMPDIR`, `TMPDIR`, else `/var/tmp`.
    static func temporaryDirectory() -> String {
        let environment = ProcessInfo.processInfo.environment
        for name in ["SQLITE_TMPDIR", "TMPDIR"] {
            if let directory = environment[name], !directory.isEmpty { return directory }
        }
        return "/var/tmp"
    }

    /// The bytes an unprivileged writer may still use on the file system holding `path`.
    static func freeBytes(_ path: String) -> Int64? {
        var info = statvfs()
        guard statvfs(path, &info) == 0 else { return nil }
        let (bytes, overflow) = Int64(clamping: info.f_bavail).multipliedReportingOverflow(
            by: Int64(clamping: info.f_frsize))
        return overflow ? Int64.max : bytes
    }

    /// Why the operating system will not let the database at `path` be opened for writing, if it will not:
    /// "PATH: Is a directory", "PATH: Permission denied", "PATH: Read-only file system".
    static func osReason(for path: String) -> String? {
        var status = stat()
        if stat(path, &status) == 0 {
            if (status.st_mode & S_IFMT) == S_IFDIR { return "\(path): \(String(cString: strerror(EISDIR)))" }
            let descriptor = open(path, O_RDWR | O_CLOEXEC)
            if descriptor < 0 { return "\(path): \(String(cString: strerror(errno)))" }
            close(descriptor)
            return nil
        }
        if errno != ENOENT { return "\(path): \(String(cString: strerror(errno)))" }
        let directory = (path as NSString).deletingLastPathComponent
        if access(directory.isEmpty ? "." : directory, W_OK | X_OK) != 0 {
            return "\(directory.isEmpty ? "." : directory): \(String(cString: strerror(errno)))"
        }
        return nil
    }

    private static func formatBytes(_ bytes: Int64) -> String {
        if bytes >= 1 << 30 { return String(format: "%.1f GiB", Double(bytes) / Double(1 << 30)) }
        return String(format: "%.1f MiB", Double(bytes) / Double(1 << 20))
    }
}
