import ArgumentParser
import Foundation
import Glibc
import ReportModel
import ReportRendering
import ReportService
import ReportStore

struct MigrateDB: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "migrate-db",
        abstract: "Copy a SQLite database into PostgreSQL: every report, record, kept input and original, and setting.",
        discussion: """
            The target must be empty, or a copy of the same file that stopped: run again, it goes on from \
            where it got (each batch of rows commits with its place). At the end the rows of every table are \
            counted on both sides. Stop importing into the file while it is copied (the copy reads one state \
            of it), then point importers at the new database.

            Exit status: 0 when every table has the same rows on both sides; 74 when one does not (named), \
            or a database cannot be used; 75 when PostgreSQL cannot be reached; 66 when the file does not exist.
            """
    )

    @Option(help: ArgumentHelp("The SQLite database to copy.", valueName: "path"))
    var from: String

    @Option(
        help: ArgumentHelp(
            "The PostgreSQL database to copy it into: postgresql://USER@HOST:PORT/NAME.", valueName: "url"))
    var to: String

    @OptionGroup var password: DatabasePasswordOption

    @Option(
        help: ArgumentHelp(
            "Seconds to wait for another process holding either database (0 to 86400).", valueName: "seconds"))
    var busyTimeout: Double = 30

    @Flag(help: "No progress line on a terminal.")
    var quiet = false

    func run() throws {
        guard FileManager.default.fileExists(atPath: from) else {
            printError("rua: no database at \(from)")
            throw ExitStatus.noInput
        }
        var store = try StoreOptions.parse(["--db", to, "--busy-timeout", String(busyTimeout)])
        store.password = password
        let target = try store.location()
        guard case .postgresql = target else {
            throw ValidationError("--to must be a postgresql:// URL")
        }
        let showProgress = !quiet && isatty(STDERR_FILENO) != 0
        var lastDrawn = Date.distantPast
        let counts = try store.perform {
            try ReportService.migrate(from: from, to: target, busyTimeout: busyTimeout) { progress in
                guard showProgress, Date().timeIntervalSince(lastDrawn) >= 0.2 else { return }
                lastDrawn = Date()
                FileHandle.standardError.write(
                    Data(
                        "\r\u{1B}[K\(progress.table): \(progress.copied.grouped) of \(progress.total.grouped) rows".utf8
                    ))
            }
        }
        if showProgress { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)) }
        let rows = counts.map { count -> [String] in
            [count.table, count.source.grouped, count.target.grouped, count.source == count.target ? "" : "differs"]
        }
        let table = Document.Table(header: ["table", "sqlite", "postgresql", ""], rows: rows, numeric: [1, 2])
        for line in TextDocument.fitted(table, width: 100) { print(line) }
        let differing = counts.filter { $0.source != $0.target }.map { $0.table }
        guard differing.isEmpty else {
            printError("rua: the copy differs in \(differing.joined(separator: ", ")): run rua migrate-db again")
            throw ExitStatus.ioError
        }
        let total = counts.reduce(0) { $0 + $1.source }
        print("every table copied: \(total.grouped) rows in \(store.path)")
    }
}
