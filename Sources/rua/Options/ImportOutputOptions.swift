import ArgumentParser
import ReportModel
import ReportRendering
import ReportService

/// How `rua import` and `rua fetch` report what they do, and the bound they put on each report.
struct ImportOutputOptions: ParsableArguments {
    @Flag(help: "Print one JSON object per line for every item handled (file or archive member).")
    var json = false

    @Flag(name: .shortAndLong, help: "Print nothing but errors.")
    var quiet = false

    @Option(
        help: ArgumentHelp(
            "Most decompressed bytes per report (suffixes K, M, G for KiB, MiB, GiB).", valueName: "bytes"))
    var maxReportBytes: ByteCount = ByteCount(ReportService.defaultMaxReportBytes)

    /// Prints each item as it is reported: a JSON line, a text line (closing the progress line first), or
    /// under --quiet only a rejection, on standard error, so that it reaches cron's mail.
    func itemPrinter(progress: ProgressLine?) -> (ImportItem) -> Void {
        { item in
            if json {
                print(ImportRenderer.jsonLine(item))
            } else if !quiet, let line = ImportRenderer.textLine(item, colors: TerminalOptions.automaticColors) {
                progress?.finish()
                print(line)
            } else if quiet, item.outcome == .rejected, let line = ImportRenderer.textLine(item) {
                printError("rua: \(line)")
            }
        }
    }
}
