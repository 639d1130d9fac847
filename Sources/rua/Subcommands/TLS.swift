import ArgumentParser
import Foundation
import ReportModel
import ReportRendering
import ReportService

struct TLS: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tls",
        abstract: "Summarise SMTP TLS reports (TLS-RPT) per policy domain: sessions, failures and what to do.",
        discussion: """
            Sessions are counted as the reporters sent them (failure details need not add up to the \
            totals). Failures are shown by result type, with advice, by receiving MX host and by sending MTA.
            """
    )

    @OptionGroup var filter: FilterOptions

    @Option(help: "How many entries to show per failure list.")
    var top = 10

    func validate() throws { try validateTop(top) }

    @OptionGroup var terminal: TerminalOptions
    @OptionGroup var store: StoreOptions

    func run() throws {
        let now = try currentTime()
        let selection = try filter.filter(now: now)
        let service = try store.open()
        defer { service.close() }
        let summaries = try store.perform { try service.tlsSummary(selection, top: max(1, top)) }
        print(
            TLSRenderer.render(
                summaries, format: filter.format,
                context: terminal.apply(to: try filter.context(command: "tls", now: now))),
            terminator: "")
    }
}
