import ArgumentParser

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
        subcommands: [
            Import.self, Reports.self, Summary.self, Failures.self, DigestCommand.self, Sources.self, TLS.self,
            Export.self,
            Quarantine.self, Reprocess.self,
        ]
    )
}
