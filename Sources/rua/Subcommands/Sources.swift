import ArgumentParser
import Foundation
import ReportModel
import ReportRendering
import ReportService

struct Sources: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Who sends as your domains: per source address, messages, pass rates, reverse DNS and service.",
        usage: """
            rua sources [--domain <domain>] [--since <date>] [--until <date>] [--last <span>] [--tz <zone>] [--format <format>] [--top <top>] [--dns-server <host[:port]>] [--offline] [--dns-timeout <ms>] [--services <file>] [--wide] [--color <when>] [--output <file>] [--excel] [--db <path|url>] [--db-password-file <path>] [--busy-timeout <seconds>]
            """,
        discussion: """
            Reverse DNS (PTR, forward-confirmed) is looked up when a report needs it, at most 32 at once, \
            each with a timeout, and cached in the database (names for 7 days, no PTR for a day, failures \
            for an hour): a second run asks DNS nothing. --offline (or RUA_OFFLINE=1) uses the cache only. \
            Services come from PTR names, DKIM d= and SPF domains matched against a shipped table of \
            known senders, which --services FILE or services.csv beside the database extends.
            """
    )

    @OptionGroup var period: PeriodOptions

    @Option(help: "Output format: text, markdown, html, json (one document), ndjson (one source a line) or csv.")
    var format: AnalysisFormat = .text

    @Option(help: "At most this many sources, most messages first (0: all).")
    var top = 50

    func validate() throws { try validateTop(top) }

    @OptionGroup var dns: DNSOptions
    @OptionGroup var output: OutputOptions
    @OptionGroup var terminal: TerminalOptions
    @OptionGroup var store: StoreOptions

    func run() throws {
        let now = try currentTime()
        let filter = try period.filter(now: now)
        let service = try store.open()
        defer { service.close() }
        let (sources, attributions) = try store.perform {
            try service.sources(filter, top: top, lookup: dns.lookup, now: now)
        }
        let context = try period.context(command: "sources", now: now, filters: [.init("top", number: top)])
        let text = SourcesRenderer.render(
            sources, attributions: attributions, format: format,
            context: terminal.apply(to: context, writingFile: output.output != nil))
        try output.write(text, isCSV: format == .csv)
    }
}
