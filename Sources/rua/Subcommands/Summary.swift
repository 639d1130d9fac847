import ArgumentParser
import Foundation
import ReportModel
import ReportRendering
import ReportService

struct Summary: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Summarise alignment per policy domain: pass rates, dispositions, failing sources.",
        discussion: """
            Every figure is weighted by message count and uses the reporters' own verdicts (policy_evaluated). \
            Variants (same report identity, different content) are not counted.
            """
    )

    @OptionGroup var filter: FilterOptions

    @Option(help: "How many failing sources to show per domain.")
    var top = 10

    func validate() throws { try validateTop(top) }

    @OptionGroup var terminal: TerminalOptions
    @OptionGroup var store: StoreOptions

    func run() throws {
        let now = try currentTime()
        let selection = try filter.filter(now: now)
        let service = try store.open()
        defer { service.close() }
        let summaries = try store.perform { try service.summary(selection, topSources: max(0, top)) }
        let context = terminal.apply(
            to: try filter.context(command: "summary", now: now, filters: [.init("top", number: top)]))
        print(SummaryRenderer.render(summaries, format: filter.format, context: context), terminator: "")
    }
}
