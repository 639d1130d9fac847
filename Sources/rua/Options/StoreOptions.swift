import ArgumentParser
import Foundation
import ReportModel
import ReportService

/// `--db-password-file`: PostgreSQL's password, for every command that opens a database.
struct DatabasePasswordOption: ParsableArguments {
    @Option(
        name: .customLong("db-password-file"),
        help: ArgumentHelp(
            "PostgreSQL's password, from the first line of this file (else PGPASSWORD or ~/.pgpass).",
            valueName: "path"))
    var file: String?
}

/// `--db`, with the `RUA_DB`, configuration file and XDG defaults.
struct StoreOptions: ParsableArguments {
    @Option(
        name: .long,
        help: ArgumentHelp(
            "Database: a SQLite file, or postgresql://USER@HOST:PORT/NAME (libpq's URL; ?sslmode=verify-full and "
                + "other options after it).", valueName: "path|url"))
    var db: String?

    @OptionGroup var password: DatabasePasswordOption

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

    /// The database as given: `--db`, else `$RUA_DB`, else the configuration file's `db`, else
    /// `$XDG_DATA_HOME/rua/rua.sqlite`, else `~/.local/share/rua/rua.sqlite`.
    var given: String {
        let environment = ProcessInfo.processInfo.environment
        if let db { return db }
        if let path = environment["RUA_DB"], !path.isEmpty { return path }
        if let configured = RuaConfiguration.shared.value("db") { return configured }
        if let data = environment["XDG_DATA_HOME"], !data.isEmpty { return data + "/rua/rua.sqlite" }
        let home = environment["HOME"] ?? NSHomeDirectory()
        return home + "/.local/share/rua/rua.sqlite"
    }

    /// The database for messages (a PostgreSQL URL without query or password).
    var path: String { (try? DatabaseLocation(given))?.description ?? given }

    /// Where the database is, with PostgreSQL's password read from `--db-password-file`,
    /// `$RUA_DB_PASSWORD_FILE` or the configuration file's `db-password-file`. A URL holding a password or
    /// an unreadable password file is a usage error (64), or a temporary failure (75) under
    /// `alwaysTemporary`: an MTA then keeps the message until the setting is mended.
    func location(alwaysTemporary: Bool = false) throws -> DatabaseLocation {
        let environment = ProcessInfo.processInfo.environment
        let passwordFile =
            password.file ?? environment["RUA_DB_PASSWORD_FILE"].flatMap { $0.isEmpty ? nil : $0 }
            ?? RuaConfiguration.shared.value("db-password-file")
        do {
            let location = try DatabaseLocation(given)
            guard case .postgresql(let url, _) = location, let passwordFile else { return location }
            return .postgresql(url: url, password: try SecretFile.firstLine(passwordFile, "--db-password-file"))
        } catch {
            printError("rua: \((error as? StoreError)?.message ?? "\(error)")")
            throw alwaysTemporary ? ExitStatus.temporaryFailure : ExitStatus.usage
        }
    }

    /// Whether the database exists: a SQLite file is there; a PostgreSQL database is taken to be (the
    /// connection says otherwise).
    var exists: Bool {
        guard case .sqlite(let path)? = try? location() else { return true }
        return SystemPath.status(path) != nil
    }

    /// Opens the database of a reading command, which never creates a SQLite file: a mistyped `--db`
    /// must not read as an empty database. A failure is reported as ``perform(alwaysTemporary:_:)`` does.
    func open() throws -> ReportService {
        let location = try location()
        guard exists else {
            printError("rua: no database at \(PathBytes.displayed(path)); import reports first, or check --db / RUA_DB")
            throw ExitStatus.noInput
        }
        return try perform { try ReportService(location: location, busyTimeout: busyTimeout) }
    }

    /// Opens the database, creating it if need be (for commands that write).
    func openForWriting() throws -> ReportService {
        let location = try location()
        return try perform { try ReportService(location: location, busyTimeout: busyTimeout) }
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
