import ArgumentParser

@main
struct RuaCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rua",
        abstract: "Turns DMARC aggregate reports into facts a mail administrator can act on.",
        discussion: """
            Import report files (XML, gzip, zip) into a SQLite database, list them, and summarise how your \
            domains' mail authenticates. The database is $RUA_DB, else $XDG_DATA_HOME/rua/rua.sqlite \
            (~/.local/share/rua/rua.sqlite); --db overrides both.
            """,
        subcommands: [Import.self, Reports.self, Summary.self, TLS.self, Quarantine.self, Reprocess.self]
    )
}
