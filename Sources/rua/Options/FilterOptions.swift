import ArgumentParser
import Foundation
import ReportModel
import ReportRendering

/// `--domain`, `--since`, `--until` and `--format`, shared by the listing and summary commands.
struct FilterOptions: ParsableArguments {
    @Option(help: ArgumentHelp("Only this policy domain.", valueName: "domain"))
    var domain: String?

    @Option(
        help: ArgumentHelp(
            "Reports beginning on or after this date (YYYY-MM-DD, ISO-8601, or 7d, 4w …).", valueName: "date"))
    var since: String?

    @Option(
        help: ArgumentHelp(
            "Reports beginning on or before this date (a bare date includes the whole day).", valueName: "date"))
    var until: String?

    @Option(help: "Output format: text, json (one object per line) or csv.")
    var format: OutputFormat = .text

    func filter(now: Date) throws -> ReportFilter {
        let seconds = Int64(now.timeIntervalSince1970)
        do {
            return ReportFilter(
                domain: domain,
                since: try since.map { try DateArgument.parse($0, now: seconds) },
                until: try until.map { try DateArgument.parse($0, now: seconds, endOfDay: true) })
        } catch let error as DateArgument.Invalid {
            throw ValidationError(error.description)
        }
    }

    /// A label for the period, for text output.
    func periodLabel(_ filter: ReportFilter) -> String {
        switch (filter.since, filter.until) {
        case (nil, nil): "all time"
        case (let since?, nil): "since \(TimeFormat.minute(since)) UTC"
        case (nil, let until?): "until \(TimeFormat.minute(until)) UTC"
        case (let since?, let until?): "\(TimeFormat.minute(since)) – \(TimeFormat.minute(until)) UTC"
        }
    }
}

extension OutputFormat: ExpressibleByArgument {}
