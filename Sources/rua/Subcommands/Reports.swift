import ArgumentParser
import Foundation
import ReportModel
import ReportRendering
import ReportService

struct Reports: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "List the stored reports, one row each.",
        discussion: "A report belongs to a period when its date range begins in it."
    )

    @OptionGroup var filter: FilterOptions
    @OptionGroup var terminal: TerminalOptions
    @OptionGroup var store: StoreOptions

    func run() throws {
        let now = try currentTime()
        let selection = try filter.filter(now: now)
        let service = try store.open()
        defer { service.close() }
        let reports = try store.perform { try service.reports(selection) }
        let context = terminal.apply(to: try filter.context(command: "reports", now: now))
        print(ReportsRenderer.render(reports, format: filter.format, context: context), terminator: "")
    }
}
