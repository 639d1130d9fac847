import ArgumentParser
import Foundation
import ReportModel
import ReportRendering
import ReportService

struct Export: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Export records, reports, sources or TLS failures as CSV, JSON or NDJSON, streaming.",
        usage: """
            rua export <kind> [--domain <domain>] [--since <date>] [--until <date>] [--last <span>] [--tz <zone>] [--format <format>] [--explode] [--output <file>] [--excel] [--db <path|url>] [--db-password-file <path>] [--busy-timeout <seconds>]
            """,
        discussion: """
            records: one row per record with the report's range (ISO-8601 UTC), reporter, policy, source, \
            count, disposition, policy_evaluated verdicts, identifiers, DKIM and SPF results \
            (domain:selector:result and domain:scope:result, joined with ;), override reasons, and Rua's \
            recomputed dmarc_pass / spf_aligned / dkim_aligned. --explode writes one row per auth result \
            instead. reports: one row per stored report. sources: per policy domain and source. \
            tls-failures: one row per TLS failure detail. Only counted reports (not variants) are exported, \
            except by `reports`, which lists every report.
            """
    )

    @Argument(help: "What to export: records, reports, sources or tls-failures.")
    var kind: ExportKind

    @OptionGroup var period: PeriodOptions

    @Option(help: "Output format: csv, json (one document) or ndjson (one row a line).")
    var format: ExportFormat = .csv

    @Flag(help: "records: one row per DKIM or SPF result instead of one per record.")
    var explode = false

    @OptionGroup var output: OutputOptions
    @OptionGroup var store: StoreOptions

    func validate() throws {
        if explode && kind != .records { throw ValidationError("--explode applies to records only") }
    }

    func run() throws {
        let now = try currentTime()
        let filter = try period.filter(now: now)
        let service = try store.open()
        defer { service.close() }
        let sink = try output.open()
        let context = try period.context(
            command: "export", now: now, filters: [.init("kind", kind.rawValue), .init("explode", flag: explode)])
        let writer = ExportWriter(
            format: format, columns: ReportService.exportColumns(kind, explode: explode),
            excel: output.excel && format == .csv, context: context, sink: { try sink.write($0) })
        try store.perform {
            try service.export(kind, filter: filter, explode: explode) { try writer.write($0) }
        }
        try writer.finish()
        try sink.finish()
    }
}

extension ExportKind: ExpressibleByArgument {}
extension ExportFormat: ExpressibleByArgument {}
