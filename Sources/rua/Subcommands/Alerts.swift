import ArgumentParser
import Foundation
import ReportModel
import ReportRendering
import ReportService

struct Alerts: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Alert once per problem: what crossed a threshold since the last run (for a daily cron job).",
        usage: """
            rua alerts [--domain <domain>] [--since <date>] [--until <date>] [--last <span>] [--tz <zone>] [--drop <points>] [--min-messages <n>] [--source-messages <n>] [--tls-failure-rate <rate>] [--min-sessions <n>] [--no-heartbeat] [--all] [--dry-run] [--format <format>] [--mail-to <address> …] [--webhook <url>] … [--db <path|url>]
            """,
        discussion: """
            Measures the period (default: the last 7 full days, against the 7 before, as the digest does) \
            and each domain's report heartbeat up to now. An alert is: a domain's DMARC pass rate down by \
            --drop points or more over --min-messages or more (pass_rate_drop); a new source, or one that \
            passed before, with --source-messages or more failing messages (new_failing_source, \
            source_started_failing); a domain's TLS sessions failing at --tls-failure-rate or more over \
            --min-sessions or more (tls_failure_rate); a domain whose reports came on 4 or more of the last \
            28 days and have not come for twice their usual interval plus a day (heartbeat_missed); a \
            reporter that sent 20 or more reports in the 28 days before and none in the period \
            (reporter_silent).

            What a run alerts on is remembered in the database: the next run reports only what is new, \
            and a problem that goes away and comes back alerts again. Text output is empty when nothing is \
            new (cron mails only what a job prints); --all lists what is still open and what was resolved. \
            --mail-to and --webhook send only when something is new.

            Exit status: 0 nothing new; 1 new alerts (printed, and sent when asked); 66 no database; 69, \
            75, 76, 77 as for rua digest when a delivery failed (the alerts stay remembered: run with \
            --dry-run to see them again).
            """
    )

    @OptionGroup var period: PeriodOptions

    @Option(
        help: ArgumentHelp(
            "Alert when a domain's DMARC pass rate fell by this many points or more.", valueName: "points"))
    var drop: Double = 5

    @Option(help: ArgumentHelp("…over at least this many messages in the period.", valueName: "n"))
    var minMessages: Double = 100

    @Option(
        help: ArgumentHelp(
            "Alert on a new (or newly failing) source with at least this many failing messages.", valueName: "n"))
    var sourceMessages: Double = 10

    @Option(
        help: ArgumentHelp(
            "Alert when this share of a domain's TLS sessions failed (5, 5% or 0.05).", valueName: "rate"))
    var tlsFailureRate = "5%"

    @Option(help: ArgumentHelp("…over at least this many TLS sessions.", valueName: "n"))
    var minSessions: Int64 = 100

    @Flag(help: "Do not alert on domains whose reports stopped arriving.")
    var noHeartbeat = false

    @Flag(help: "Also list what is still open (alerted before) and what was resolved.")
    var all = false

    @Flag(help: "Compare with the last run but remember nothing.")
    var dryRun = false

    @Option(help: "Output format: text, json (one document), ndjson (one alert a line) or csv.")
    var format: OutputFormat = .text

    @OptionGroup var delivery: DeliveryOptions
    @OptionGroup var dns: DNSOptions
    @OptionGroup var store: StoreOptions

    func validate() throws {
        guard drop.isFinite, drop > 0, drop <= 100 else { throw ValidationError("--drop must be 0 to 100 points") }
        guard minMessages.isFinite, minMessages >= 0, sourceMessages.isFinite, sourceMessages >= 0, minSessions >= 0
        else { throw ValidationError("--min-messages, --source-messages and --min-sessions must be 0 or more") }
        guard DigestCommand.rate(tlsFailureRate) != nil else {
            throw ValidationError("--tls-failure-rate '\(tlsFailureRate)' is not a rate: use 5, 5% or 0.05")
        }
    }

    func run() throws {
        let now = try currentTime()
        let window = try period.period(now: now, defaultDays: 7)
        var thresholds = AlertThresholds()
        thresholds.passRateDrop = drop
        thresholds.minimumMessages = minMessages
        thresholds.failingSourceMessages = sourceMessages
        thresholds.tlsFailureRate = DigestCommand.rate(tlsFailureRate) ?? 0.05
        thresholds.minimumSessions = minSessions
        thresholds.heartbeat = !noHeartbeat
        let service = try store.open()
        defer { service.close() }
        let run = try store.perform {
            try service.alerts(
                period: window, domain: period.domain, thresholds: thresholds, lookup: dns.lookup, now: now,
                dryRun: dryRun)
        }
        let context = try period.context(command: "alerts", now: now, effective: window)
        print(AlertsRenderer.render(run, format: format, context: context, all: all), terminator: "")
        if !run.new.isEmpty && delivery.delivers,
            let status = delivery.deliver(
                subject: AlertsRenderer.subject(run), text: AlertsRenderer.text(run, all: true),
                html: AlertsRenderer.html(run), webhookJSON: { AlertsRenderer.webhook(run, context: context) }, now: now
            )
        {
            throw ExitCode(status)
        }
        if !run.new.isEmpty { throw ExitCode(1) }
    }
}
