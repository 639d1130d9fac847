import ArgumentParser
import Foundation
import ReportModel
import ReportService

struct Config: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Show or change the settings kept in the database: the retention every import applies.",
        discussion: """
            retention.records SPAN: every import then deletes the records of reports that ended longer \\
            ago (as rua prune --records does). retention.originals SPAN: the original bytes of inputs \\
            imported longer ago (rua prune --originals). SPAN: 400d, 56w, 13m. Settings live in the \\
            database, so every importer of it agrees.
            """,
        subcommands: [List.self, Change.self, Unset.self],
        defaultSubcommand: List.self
    )

    static func validate(key: String) throws {
        guard Retention.keys.contains(key) else {
            throw ValidationError("unknown setting '\(key)': use \(Retention.keys.joined(separator: " or "))")
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Print every setting.")

        @OptionGroup var store: StoreOptions

        func run() throws {
            let service = try store.open()
            defer { service.close() }
            let settings = try store.perform { try service.settings() }
            for key in Retention.keys { print("\(key) = \(settings[key] ?? "(not set)")") }
        }
    }

    struct Change: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "set", abstract: "Change a setting.")

        @Argument(help: "retention.records or retention.originals.")
        var key: String

        @Argument(help: "A span: 400d, 56w or 13m.")
        var value: String

        @OptionGroup var store: StoreOptions

        func validate() throws {
            try Config.validate(key: key)
            guard Retention.days(value) != nil else {
                throw ValidationError("'\(value)' is not a span: use 400d, 56w or 13m")
            }
        }

        func run() throws {
            let service = try store.open()
            defer { service.close() }
            try store.perform { try service.setSetting(key, to: value) }
            print("\(key) = \(value)")
        }
    }

    struct Unset: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Remove a setting.")

        @Argument(help: "retention.records or retention.originals.")
        var key: String

        @OptionGroup var store: StoreOptions

        func validate() throws {
            try Config.validate(key: key)
        }

        func run() throws {
            let service = try store.open()
            defer { service.close() }
            try store.perform { try service.setSetting(key, to: nil) }
            print("\(key) = (not set)")
        }
    }
}
