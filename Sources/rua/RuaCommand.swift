import ArgumentParser
import Foundation

@main
struct RuaCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rua",
        abstract: "Turns DMARC aggregate and SMTP TLS reports into facts a mail administrator can act on.",
        discussion: """
            Import reports (XML, JSON, gzip, zip, e-mail messages, mbox, Maildir, or one message on standard \
            input from an MTA) into a SQLite database, list them, summarise how your domains' mail \
            authenticates and how TLS to your MX hosts fares, explain what fails and who sends it, write a \
            weekly digest for cron, and export CSV or JSON. The database is $RUA_DB, else \
            $XDG_DATA_HOME/rua/rua.sqlite (~/.local/share/rua/rua.sqlite); --db overrides both.
            """,
        version: RuaVersion.current,
        subcommands: [
            Import.self, Fetch.self, CheckCommand.self, Reports.self, Summary.self, Failures.self, DigestCommand.self,
            Sources.self,
            TLS.self,
            Export.self,
            Alerts.self, Quarantine.self, Reprocess.self, Stats.self, Prune.self, Config.self, Serve.self,
            MigrateDB.self,
        ]
    )

    /// Parses and runs, but first answers a mistyped subcommand with the nearest one (the parser alone
    /// would call it an unexpected argument and print the top-level usage).
    static func main() {
        let arguments = Array(CommandLine.arguments.dropFirst())
        if let first = arguments.first, !first.hasPrefix("-"), first != "help" {
            let names = configuration.subcommands.map { $0._commandName }
            if !names.contains(first) {
                var message = "rua: unknown command '\(first)'"
                if let nearest = Self.nearest(first, among: names) { message += "; did you mean '\(nearest)'?" }
                printError(message + "\nCommands: \(names.joined(separator: ", ")). See 'rua --help'.")
                Foundation.exit(ExitStatus.usage.rawValue)
            }
        }
        main(arguments)
    }

    /// The name within two edits of `word` (or having it as a prefix), the closest first.
    static func nearest(_ word: String, among names: [String]) -> String? {
        let scored = names.map { name in (name, name.hasPrefix(word) ? 0 : editDistance(word, name)) }
        guard let best = scored.min(by: { $0.1 < $1.1 }), best.1 <= 2 else { return nil }
        return best.0
    }

    /// Levenshtein distance, transpositions counted as one edit (`reprots` is one edit from `reports`).
    static func editDistance(_ a: String, _ b: String) -> Int {
        let a = Array(a)
        let b = Array(b)
        guard !a.isEmpty, !b.isEmpty else { return max(a.count, b.count) }
        var rows = [[Int]](repeating: [Int](repeating: 0, count: b.count + 1), count: a.count + 1)
        for i in 0...a.count { rows[i][0] = i }
        for j in 0...b.count { rows[0][j] = j }
        for i in 1...a.count {
            for j in 1...b.count {
                let cost = a[i - 1] == b[j - 1] ? 0 : 1
                rows[i][j] = min(rows[i - 1][j] + 1, rows[i][j - 1] + 1, rows[i - 1][j - 1] + cost)
                if i > 1, j > 1, a[i - 1] == b[j - 2], a[i - 2] == b[j - 1] {
                    rows[i][j] = min(rows[i][j], rows[i - 2][j - 2] + 1)
                }
            }
        }
        return rows[a.count][b.count]
    }
}

/// Rua's version, as `rua --version` prints it.
enum RuaVersion {
    static let current = "0.3.0"
}
