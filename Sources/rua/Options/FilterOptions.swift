import ArgumentParser
import Foundation
import ReportModel
import ReportRendering

/// The period options and `--format` (text, json, csv), shared by the listing and summary commands.
struct FilterOptions: ParsableArguments {
    @OptionGroup var period: PeriodOptions

    @Option(help: "Output format: text, json (one object per line) or csv.")
    var format: OutputFormat = .text

    func filter(now: Int64) throws -> ReportFilter {
        try period.filter(now: now)
    }

    func periodLabel(now: Int64) -> String {
        period.label(now: now)
    }
}

extension OutputFormat: ExpressibleByArgument {}
