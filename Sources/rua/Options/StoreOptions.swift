import ArgumentParser
import Foundation
import ReportModel
import ReportService

/// `--db`, with the `RUA_DB` and XDG defaults.
struct StoreOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("Database file.", valueName: "path"))
    var db: String?

    @Option(
        help: ArgumentHelp(
            "Seconds to wait for another process holding the database (0 to 86400).", valueName: "seconds"))
    var busyTimeout: Double = 30

    func validate() throws {
        guard busyTimeout.isFinite, (0...Self.longestBusyTimeout).contains(busyTimeout) else {
            throw ValidationError("--busy-timeout must be a number of seconds from 0 to 86400")
        }
    }

    /// A day: a process that holds the database longer has hung.
    static let longestBusyTimeout: Double = 86_400

    /// The database path: `--db`, else `$RUA_DB`, else `$XDG_DATA_HOME/rua/rua.sqlite`, else
    /// `~/.local/share/rua/rua.sqlite`.
    var path: String {
        let environment = ProcessInfo.processInfo.environment
        if let db { return db }
        if let path = environment["RUA_DB"], !path.isEmpty { return path }
        if let data = environment["XDG_DATA_HOME"], !data.isEmpty { return data + "/rua/rua.sqlite" }
        let home = environment["HOME"] ?? NSHomeDirectory()
        return home + "/.local/share/rua/rua.sqlite"
    }

    /// Opens the database of a reading command, which never creates one: a mistyped `--db` must not
    /// read as an empty database. A failure is reported as ``perform(alwaysTemporary:_:)`` does.
    func open() throws -> ReportService {
        guard SystemPath.status(path) != nil else {
            printError("rua: no database at \(PathBytes.displayed(path)); import reports first, or check --db / RUA_DB")
            throw ExitStatus.noInput
        }
        return try perform { try ReportService(path: path, busyTimeout: busyTimeout) }
    }
}

extension StoreOptions {
    /// Runs a database operation, turning a ``StoreError`` into its message and exit status: 75 when
    /// the failure is temporary (or `alwaysTemporary`, for a message an MTA must try again), else 74.
    func perform<T>(alwaysTemporary: Bool = false, _ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let error as StoreError {
            printError("rua: \(error.message)")
            throw error.isTemporary || alwaysTemporary ? ExitStatus.temporaryFailure : ExitStatus.ioError
        } catch let error as SourceLookup.ServicesFileError {
            throw ValidationError(error.description)
        }
    }
}

/// Writes a line to standard error.
func printError(_ line: String) {
    FileHandle.standardError.write(Data((line + "\n").utf8))
}
