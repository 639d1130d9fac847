import ArgumentParser
import Foundation
import ReportModel
import ReportRendering
import ReportService

struct Import: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Import report files, e-mail messages, mbox files and Maildir folders into the database.",
        discussion: """
            Files may be plain XML, gzip or zip, whatever their names say, or e-mail: single messages, mbox \
            files (each message on its own) and Maildir folders. Directories are read recursively: hidden \
            files and Maildir tmp/ are passed over, and so are FIFOs, devices and symbolic links that lead \
            out of the directory (with a note). With no path, or -, one message is read from standard input \
            (for an MTA's pipe). Every input's original bytes are kept, including inputs that are rejected, \
            with the reason.

            Exit status: 0 when every input was stored or was a duplicate, 65 when any input was rejected, \
            74 when an input could not be read or the database cannot be used (the reason is named), 75 when \
            the database is busy or the disk is full (try again later). With --quiet nothing is printed on \
            success; each rejected input and each failure is named on standard error. From standard input: 0 once the \
            message is stored or kept with its reason, 75 when it could not be kept (the MTA retries later), \
            64 for a usage error.
            """
    )

    @Argument(
        help: ArgumentHelp(
            "Report files, e-mail messages (.eml), mbox files, Maildir folders or directories; none or - reads one message from standard input.",
            valueName: "path"))
    var paths: [String] = []

    @Flag(help: "Move each Maildir message from new/ to cur/ with the seen flag once its outcome is stored.")
    var maildirMarkSeen = false

    @OptionGroup var output: ImportOutputOptions
    @OptionGroup var store: StoreOptions

    var json: Bool { output.json }
    var quiet: Bool { output.quiet }

    func run() throws {
        let pinned = try ProcessInfo.processInfo.environment["RUA_NOW"].map { _ in try currentTime() }
        let fromStandardInput = paths.isEmpty || paths == ["-"]
        // The database is opened by the import while its reader reads the first inputs.
        let pipeline = Importer(
            databaseAt: try store.location(alwaysTemporary: fromStandardInput), busyTimeout: store.busyTimeout,
            maxReportBytes: output.maxReportBytes.value,
            clock: { pinned.map { Date(timeIntervalSince1970: TimeInterval($0)) } ?? Date() },
            markMaildirSeen: maildirMarkSeen)
        defer { pipeline.close() }
        let progress = fromStandardInput ? nil : ProgressLine.make(quiet: quiet)
        pipeline.onProgress = progress.map { line in { line.update($0) } }
        // No database, nothing kept: from standard input the MTA must keep the message and retry (75),
        // whatever the cause.
        let summary = try store.perform(alwaysTemporary: fromStandardInput) {
            try pipeline.importPaths(
                fromStandardInput ? ["-"] : paths.map(RawArguments.lossless),
                onItem: output.itemPrinter(progress: progress))
        }
        progress?.finish()
        if !quiet {
            for note in summary.passedOver { printError("note: \(Escaping.terminal(note))") }
        }
        if quiet {
            // Silent on success; what failed is named, without the totals around it.
            for failure in summary.failures { printError("rua: \(Escaping.terminal(failure))") }
        } else if json {
            printError(ImportRenderer.summary(summary))
        } else {
            print(ImportRenderer.summary(summary))
        }
        // The retention the database is configured with (rua config): once the inputs are committed, so a
        // failure here costs no input and changes no exit status.
        do {
            if let pruned = try pipeline.applyRetention(now: try currentTime()), !quiet,
                pruned.records + pruned.originals > 0
            {
                printError("retention: records of \(pruned.reports) reports and \(pruned.originals) originals deleted")
            }
        } catch {
            printError("rua: retention not applied: \((error as? StoreError)?.message ?? "\(error)")")
        }
        if fromStandardInput {
            // The delivery contract: 0 once the message is stored or kept with its reason (whatever
            // its reports were), 75 when it could not be kept, so that the MTA queues it and retries.
            if !summary.failures.isEmpty { throw ExitStatus.temporaryFailure }
            return
        }
        if summary.temporaryFailure { throw ExitStatus.temporaryFailure }
        if !summary.failures.isEmpty { throw ExitStatus.ioError }
        if summary.rejected > 0 { throw ExitStatus.dataError }
    }
}

/// A byte count with an optional K, M or G (binary) suffix.
struct ByteCount: ExpressibleByArgument {
    let value: Int64

    init(_ value: Int64) { self.value = value }

    init?(argument: String) {
        let multipliers: [Character: Int64] = ["K": 1 << 10, "M": 1 << 20, "G": 1 << 30]
        var text = argument.uppercased()
        if text.hasSuffix("IB") { text.removeLast(2) }
        if text.hasSuffix("B") { text.removeLast() }
        var multiplier: Int64 = 1
        if let last = text.last, let factor = multipliers[last] {
            multiplier = factor
            text.removeLast()
        }
        guard let number = Int64(text), number > 0 else { return nil }
        let (product, overflow) = number.multipliedReportingOverflow(by: multiplier)
        guard !overflow else { return nil }
        value = product
    }

    var defaultValueDescription: String { "1G" }
}
