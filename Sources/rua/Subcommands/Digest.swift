import ArgumentParser
import Foundation
import ReportModel
import ReportRendering
import ReportService

struct DigestCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "digest",
        abstract: "A weekly digest for cron: pass rates and their change, what changed, advice, data health.",
        usage: """
            rua digest [--domain <domain>] [--since <date>] [--until <date>] [--last <span>] [--tz <zone>] [--format <format>] [--fail-under <rate>] [--expect-reports] [--detail <which>] [--mail-to <address> …] [--mail-from <address>] [--subject <text>] [--smtp <url>] [--smtp-user <user>] [--smtp-password-file <file>] [--sendmail <path>] [--webhook <url>] [--ca-file <file>] [--allow-plaintext] [--dns-server <host[:port]>] [--offline] [--dns-timeout <ms>] [--services <file>] [--wide] [--color <when>] [--output <file>] [--excel] [--db <path|url>] [--db-password-file <path>] [--busy-timeout <seconds>]
            """,
        discussion: """
            Default period: the last 7 full days (UTC unless --tz), compared with the 7 days before. New \
            sources and silent reporters are judged against the 28 days before the period. Daily charts \
            apportion multi-day reports over their days. --format html writes one self-contained page \
            (tables, inline styles, no scripts, nothing fetched) that reads well in mail clients, at 400 px and in dark mode.

            Exit status (the digest is written first): 0; 1 when a domain's DMARC pass rate is below \
            --fail-under; 2 with --fail-under or --expect-reports when reports are missing: none at all in \
            the period, none for a domain that had some in the period before, or none from a reporter that \
            sent 20 or more in the 28 days before (2 wins over 1); 66 when there is no database.

            Delivery: --mail-to sends the digest as one message (text and HTML alternatives) through \
            sendmail, or through --smtp; --webhook posts {"text": …, "digest": the JSON digest}. Nothing goes \
            to standard output then unless --output says so. When it was not delivered the exit status says \
            why, over 1 and 2: 69 the server was unreachable or its certificate not trusted, 77 the login was \
            refused, 75 the server deferred the message (try later), 76 it refused the message or sendmail \
            failed.
            """
    )

    @OptionGroup var period: PeriodOptions

    @Option(
        help:
            "Output format: text, markdown, html, json (one document), ndjson (one domain a line), or csv (the daily series)."
    )
    var format: AnalysisFormat = .text

    @Option(
        help: ArgumentHelp(
            "Exit 1 when a domain's DMARC pass rate is below this (95, 95% or 0.95).", valueName: "rate"))
    var failUnder: String?

    @Flag(
        help: ArgumentHelp(
            "Exit 2 when reports are missing (none at all, none for a domain, a daily reporter silent)."))
    var expectReports = false

    @Option(
        help: ArgumentHelp(
            "Domains detailed: auto (those needing attention, or the only one), all, or none (the summary alone).",
            valueName: "which"))
    var detail: DigestDetail = .auto

    @OptionGroup var delivery: DeliveryOptions
    @OptionGroup var dns: DNSOptions
    @OptionGroup var output: OutputOptions
    @OptionGroup var terminal: TerminalOptions
    @OptionGroup var store: StoreOptions

    func validate() throws {
        if let failUnder, Self.rate(failUnder) == nil {
            throw ValidationError("--fail-under '\(failUnder)' is not a rate: use 95, 95% or 0.95")
        }
    }

    /// A rate from `95`, `95%` or `0.95`, as a fraction.
    static func rate(_ text: String) -> Double? {
        let percentSign = text.hasSuffix("%")
        guard let value = Double(percentSign ? String(text.dropLast()) : text), value >= 0 else { return nil }
        let fraction = percentSign || value > 1 ? value / 100 : value
        return fraction <= 1 ? fraction : nil
    }

    func run() throws {
        let now = try currentTime()
        let window = try period.period(now: now, defaultDays: 7)
        let service = try store.open()
        defer { service.close() }
        let digest = try store.perform {
            try service.digest(period: window, domain: period.domain, lookup: dns.lookup, now: now)
        }
        let context = try period.context(command: "digest", now: now, effective: window)
        // Delivered digests go to stdout only when --output names it.
        if output.output != nil || !delivery.delivers {
            let text = DigestRenderer.render(
                digest, format: format, context: terminal.apply(to: context, writingFile: output.output != nil),
                detail: detail)
            try output.write(text, isCSV: format == .csv)
        }
        var deliveryStatus: Int32?
        if delivery.delivers {
            var plain = context
            plain.width = 78
            plain.colors = false
            deliveryStatus = delivery.deliver(
                subject: DigestRenderer.subject(digest),
                text: DigestRenderer.render(digest, format: .text, context: plain, detail: detail),
                html: DigestRenderer.render(digest, format: .html, context: plain, detail: detail),
                webhookJSON: { DigestRenderer.webhook(digest, context: context) }, now: now)
        }
        var status: Int32 = 0
        if let threshold = failUnder.flatMap(Self.rate) {
            let below = digest.domains.filter { domain in
                guard let rate = domain.totals.rate(domain.totals.dmarcPass) else { return false }
                return rate < threshold
            }
            if !below.isEmpty {
                let names = below.map(\.policyDomain).joined(separator: ", ")
                printError("rua: DMARC pass rate below \(failUnder ?? "") for \(names)")
                status = 1
            }
        }
        if failUnder != nil || expectReports {
            let missing = digest.missingReports
            for sentence in missing { printError("rua: reports missing: \(Escaping.terminal(sentence))") }
            if !missing.isEmpty { status = 2 }
        }
        // Not delivered outweighs what the digest found: the reader never saw it.
        if let deliveryStatus { throw ExitCode(deliveryStatus) }
        if status != 0 { throw ExitCode(status) }
    }
}

extension DigestDetail: ExpressibleByArgument {}
