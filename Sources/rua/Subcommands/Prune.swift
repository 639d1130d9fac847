import ArgumentParser
import Foundation
import ReportModel
import ReportRendering
import ReportService

struct Prune: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Delete records and original bytes older than a retention period, keeping the rollups.",
        discussion: """
            --records deletes the records of reports whose range ended before the cutoff: their counts and \
            the daily per-report and per-source totals stay, so summaries, digests and sources over any \
            span still work (export records has nothing for them). --originals deletes the original bytes \
            of inputs imported before the cutoff whose every report ended before it; their SHA-256 stays, so \
            the same file imported again is still a duplicate. Inputs kept with a reason keep theirs (rua \
            quarantine delete removes them). Work goes in short transactions: imports go on meanwhile.

            Freed space is reused by later imports. --vacuum then rewrites the file without it (holding the \
            database while it runs: about a minute for 1.4 GB) and makes every later prune give space back \
            as it goes.
            """
    )

    @Option(help: ArgumentHelp("The retention period: 400d, 56w, 13m.", valueName: "span"))
    var olderThan: String

    @Flag(help: "Delete old reports' records.")
    var records = false

    @Flag(help: "Delete old inputs' original bytes.")
    var originals = false

    @Flag(help: "Both.")
    var all = false

    @Flag(help: "Then rewrite the file without the freed space.")
    var vacuum = false

    @OptionGroup var store: StoreOptions

    func validate() throws {
        guard Retention.days(olderThan) != nil else {
            throw ValidationError("--older-than '\(olderThan)' is not a span: use 400d, 56w or 13m")
        }
        if !records && !originals && !all {
            throw ValidationError("say what to prune: --records, --originals or --all")
        }
    }

    func run() throws {
        let now = try currentTime()
        let cutoff = now - Int64(Retention.days(olderThan) ?? 0) * 86_400
        let service = try store.open()
        defer { service.close() }
        let result = try store.perform {
            try service.prune(before: cutoff, records: records || all, originals: originals || all, now: now)
        }
        print(
            "records of \(result.reports.grouped) reports deleted (\(result.records.grouped) records), "
                + "\(result.originals.grouped) originals (\(result.originalBytes.grouped) bytes); "
                + "reports ended before \(TimeFormat.date(cutoff)) (UTC)")
        if vacuum {
            try store.perform { try service.vacuum() }
            print(
                service.location.engine == .sqlite
                    ? "the file was rewritten without its free space"
                    : "VACUUM ran: the freed space is reused by later imports")
        } else if result.freeBytes > 0 && !result.incrementalVacuum {
            print(
                "\(result.freeBytes.grouped) bytes free in the file: reused by later imports, or given back by rua prune --vacuum"
            )
        }
    }
}

extension Int {
    var grouped: String { Int64(self).grouped }
}
