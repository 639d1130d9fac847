import ArgumentParser
import Foundation
import ReportModel
import ReportRendering
import ReportService

struct Failures: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Explain failing traffic: sources not aligned on SPF and DKIM, classified, with the fix.",
        usage: """
            rua failures [--domain <domain>] [--since <date>] [--until <date>] [--last <span>] [--tz <zone>] [--format <format>] [--class <class>] [--sort <sort>] [--top <top>] [--dns-server <host[:port]>] [--offline] [--dns-timeout <ms>] [--services <file>] [--wide] [--color <when>] [--output <file>] [--excel] [--db <path|url>] [--db-password-file <path>] [--busy-timeout <seconds>]
            """,
        discussion: """
            Every record is re-evaluated from its auth results (relaxed or strict alignment as published, \
            organizational domains from the public suffix list) and grouped by policy domain, source and \
            class: spoofing / unauthorized, forwarded / mailing list, or own sender misconfigured, with the \
            evidence behind the class. Reporters whose verdicts disagree with the recomputation are listed.
            """
    )

    @OptionGroup var period: PeriodOptions

    @Option(help: "Output format: text, markdown, html, json (one document), ndjson (one source a line) or csv.")
    var format: AnalysisFormat = .text

    @Option(help: ArgumentHelp("Only this class: unauthorized, forwarded or misconfigured.", valueName: "class"))
    var `class`: FailureClass?

    @Option(help: "Order of sources: messages (most first) or source (by address).")
    var sort: FailureOrder = .messages

    @Option(help: "At most this many sources (0: all).")
    var top = 0

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
        let analysis = try store.perform {
            try service.failures(filter, only: `class`, order: sort, top: top, lookup: dns.lookup, now: now)
        }
        let context = try period.context(
            command: "failures", now: now,
            filters: [.init("class", `class`?.rawValue), .init("sort", sort.rawValue), .init("top", number: top)])
        let text = FailuresRenderer.render(
            analysis, format: format, context: terminal.apply(to: context, writingFile: output.output != nil))
        try output.write(text, isCSV: format == .csv)
    }
}

extension FailureClass: ExpressibleByArgument {}
extension FailureOrder: ExpressibleByArgument {}
extension AnalysisFormat: ExpressibleByArgument {}
