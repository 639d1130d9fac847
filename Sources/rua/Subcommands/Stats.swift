import ArgumentParser
import Foundation
import ReportModel
import ReportRendering
import ReportService

struct Stats: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Show what the database holds: its size by table, its date range, and counts.",
        discussion: """
            Sizes come from SQLite's page statistics, which read every page of the file: a database of \
            gigabytes takes seconds.
            """
    )

    @Option(help: "Output format: text, json (one document), ndjson (one table a line) or csv.")
    var format: OutputFormat = .text

    @OptionGroup var terminal: TerminalOptions
    @OptionGroup var store: StoreOptions

    func run() throws {
        let service = try store.open()
        defer { service.close() }
        let stats = try store.perform { try service.statistics() }
        let context = terminal.apply(
            to: OutputContext(command: "stats", generatedAt: try currentTime(), period: nil, periodLabel: "all time"))
        print(StatsRenderer.render(stats, format: format, context: context), terminator: "")
    }
}
