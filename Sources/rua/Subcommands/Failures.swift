import ArgumentParser
import Foundation
import ReportAnalysis
import ReportModel
import ReportRendering
import ReportStore

struct Failures: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Explain failing traffic: sources not aligned on SPF and DKIM, classified, with the fix.",
        discussion: """
            Every record is re-evaluated from its auth results (relaxed or strict alignment as published, \
            organizational domains from the public suffix list) and grouped by policy domain, source and \
            class: spoofing / unauthorized, forwarded / mailing list, or own sender misconfigured, with the \
            evidence behind the class. Reporters whose verdicts disagree with the recomputation are listed.
            """
    )

    @OptionGroup var period: PeriodOptions

    @Option(help: "Output format: text, markdown, html, json or csv.")
    var format: AnalysisFormat = .text

    @Option(help: ArgumentHelp("Only this class: unauthorized, forwarded or misconfigured.", valueName: "class"))
    var `class`: FailureClass?

    @Option(help: "Order of sources: messages (most first) or source (by address).")
    var sort: FailureSort = .messages

    @Option(help: "At most this many sources (0: all).")
    var top = 0

    func validate() throws { try validateTop(top) }

    @OptionGroup var dns: DNSOptions
    @OptionGroup var output: OutputOptions
    @OptionGroup var store: StoreOptions

    func run() throws {
        let now = try currentTime()
        let filter = try period.filter(now: now)
        let database = try store.open()
        defer { database.close() }
        var analysis = try store.perform { try FailureAnalyzer.analyze(database, filter) }
        if let wanted = `class` { analysis.groups.removeAll { $0.failureClass != wanted } }
        if sort == .source {
            analysis.groups.sort {
                ($0.policyDomain, $0.sourceIP, $0.failureClass) < ($1.policyDomain, $1.sourceIP, $1.failureClass)
            }
        }
        if top > 0 { analysis.groups = Array(analysis.groups.prefix(top)) }
        let identifier = try dns.identifier(database: database, now: now)
        analysis.attributions = try store.perform { try FailureAnalyzer.identify(analysis, with: identifier) }
        let text = FailuresRenderer.render(analysis, period: period.label(now: now), format: format)
        try output.write(text, isCSV: format == .csv)
    }
}

enum FailureSort: String, ExpressibleByArgument, CaseIterable {
    case messages, source
}

extension FailureClass: ExpressibleByArgument {}
extension AnalysisFormat: ExpressibleByArgument {}
