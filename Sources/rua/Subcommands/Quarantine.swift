import ArgumentParser
import Foundation
import ReportModel
import ReportRendering
import ReportService

struct Quarantine: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Show the inputs kept with a reason (rejected or skipped), and write their bytes back out.",
        subcommands: [List.self, Show.self, Export.self, Delete.self],
        defaultSubcommand: List.self
    )

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the kept inputs and why each was kept.")

        @Flag(help: "Only inputs with a rejected item (not those only skipped, such as failure reports).")
        var rejected = false

        @Option(help: "Output format: text, json (one document), ndjson (one input a line) or csv.")
        var format: OutputFormat = .text

        @OptionGroup var store: StoreOptions

        func run() throws {
            let service = try store.open()
            defer { service.close() }
            let inputs = try store.perform { try service.quarantined(rejectedOnly: rejected) }
            let context = OutputContext(
                command: "quarantine list", generatedAt: try currentTime(), period: nil, periodLabel: "all time",
                filters: [.init("rejected_only", flag: rejected)])
            print(QuarantineRenderer.list(inputs, format: format, context: context), terminator: "")
        }
    }

    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show everything kept about one input.")

        @Argument(help: "The input's id, as `rua quarantine list` shows it.")
        var id: Int64

        @OptionGroup var store: StoreOptions

        func run() throws {
            let service = try store.open()
            defer { service.close() }
            guard let input = try store.perform({ try service.keptInput(id: id) }) else {
                throw ValidationError("no input #\(id) in \(store.path)")
            }
            print(QuarantineRenderer.show(input), terminator: "")
        }
    }

    struct Export: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Write an input's original bytes to standard output or a file.")

        @Argument(help: "The input's id, as `rua quarantine list` shows it.")
        var id: Int64

        @Option(name: .shortAndLong, help: ArgumentHelp("Write to this file instead.", valueName: "file"))
        var output: String?

        @OptionGroup var store: StoreOptions

        func run() throws {
            let service = try store.open()
            defer { service.close() }
            let bytes = try store.perform { try service.originalBytes(ofInput: id) }
            guard let bytes else { throw ValidationError("no input #\(id) in \(store.path)") }
            if let output {
                do {
                    try Data(bytes).write(to: URL(fileURLWithPath: output))
                } catch {
                    printError("rua: cannot write \(output): \(error.localizedDescription)")
                    throw ExitStatus.ioError
                }
            } else {
                FileHandle.standardOutput.write(Data(bytes))
            }
        }
    }
}

extension Quarantine {
    struct Delete: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Delete kept inputs: their items, messages and original bytes.",
            discussion: """
                An input that also stored reports stays (they refer to it); so does one that is not in \
                quarantine. Exit status: 0 when every input named was deleted, 65 when one stayed, 74 for \
                an id that names no input.
                """)

        @Argument(help: "Input ids, as `rua quarantine list` shows them.")
        var ids: [Int64] = []

        @Option(
            help: ArgumentHelp(
                "Every kept input imported longer ago than this span (30d, 12w, 6m), instead of ids.",
                valueName: "span"))
        var olderThan: String?

        @OptionGroup var store: StoreOptions

        func validate() throws {
            if (olderThan == nil) == ids.isEmpty { throw ValidationError("give either --older-than or input ids") }
            if let olderThan, Retention.days(olderThan) == nil {
                throw ValidationError("--older-than '\(olderThan)' is not a span: use 30d, 12w or 6m")
            }
        }

        func run() throws {
            let now = try currentTime()
            let service = try store.open()
            defer { service.close() }
            let before = olderThan.flatMap(Retention.days).map { now - Int64($0) * 86_400 }
            let outcomes = try store.perform { try service.deleteKeptInputs(ids, importedBefore: before) }
            var freed: Int64 = 0
            var kept = 0
            var missing = 0
            for (id, outcome) in outcomes {
                switch outcome {
                case .deleted(let name, let bytes):
                    freed = freed.saturatingAdd(bytes)
                    print("deleted  #\(id) \(Escaping.terminal(name))")
                case .notFound:
                    missing += 1
                    printError("rua: input #\(id): no such input in the database (rua quarantine list shows them)")
                case .holdsReports(let name, let reports):
                    kept += 1
                    printError(
                        "rua: input #\(id) \(Escaping.terminal(name)) stored \(reports) report\(reports == 1 ? "" : "s"): kept"
                    )
                case .notKept(let name):
                    kept += 1
                    printError("rua: input #\(id) \(Escaping.terminal(name)) is not in quarantine: kept")
                }
            }
            let deleted = outcomes.count - kept - missing
            print("\(deleted) input\(deleted == 1 ? "" : "s") deleted, \(freed.grouped) bytes of originals freed")
            if missing > 0 { throw ExitStatus.ioError }
            if kept > 0 { throw ExitStatus.dataError }
        }
    }
}

struct Reprocess: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run kept inputs through the current parsers again, storing what now parses.",
        discussion: """
            After an upgrade that handles a quirk, inputs that were rejected (or skipped) can be tried again \
            from their kept original bytes. Reports they stored before are not stored twice.
            """
    )

    @Flag(help: "Every input with a rejected or skipped item.")
    var all = false

    @Argument(help: "Input ids, as `rua quarantine list` shows them.")
    var ids: [Int64] = []

    @Flag(help: "Print one JSON object per line for every item handled, as `rua import --json` does.")
    var json = false

    @OptionGroup var store: StoreOptions

    func validate() throws {
        if all == !ids.isEmpty { throw ValidationError("give either --all or one or more input ids") }
    }

    func run() throws {
        let service = try store.open()
        defer { service.close() }
        let summary = try store.perform {
            try service.reprocess(all ? nil : ids) { item in
                if json {
                    print(ImportRenderer.jsonLine(item))
                } else if let line = ImportRenderer.textLine(item) {
                    print(line)
                }
            }
        }
        let text = ImportRenderer.summary(summary)
        if json { printError(text) } else { print(text) }
        if summary.temporaryFailure { throw ExitStatus.temporaryFailure }
        if !summary.failures.isEmpty { throw ExitStatus.ioError }
        if summary.rejected > 0 { throw ExitStatus.dataError }
    }
}
