import ArgumentParser
import Foundation
import ReportModel
import ReportRendering

/// The period options and `--format` (text, json, csv), shared by the listing and summary commands.
struct FilterOptions: ParsableArguments {
    @OptionGroup var period: PeriodOptions

    @Option(help: "Output format: text, json (one document), ndjson (one row a line) or csv.")
    var format: OutputFormat = .text

    func filter(now: Int64) throws -> ReportFilter {
        try period.filter(now: now)
    }

    func context(command: String, now: Int64, filters: [OutputContext.Filter] = []) throws -> OutputContext {
        try period.context(command: command, now: now, filters: filters)
    }
}

extension OutputFormat: ExpressibleByArgument {}
