import ArgumentParser
import Foundation
import ReportModel
import ReportRendering
import ReportService

struct Quarantine: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Show the inputs kept with a reason (rejected or skipped), and write their bytes back out.",
        subcommands: [List.self, Show.self, Export.self],
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
