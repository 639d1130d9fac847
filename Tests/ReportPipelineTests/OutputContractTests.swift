import Foundation
import ReportTestSupport
import Testing

/// Every JSON output is one document of the contract (`command`, `generated_at`, `period`, `filters`,
/// `rows`), NDJSON its rows one a line, and both validate against the schemas in `Schemas/`: over the
/// samples, and the shared corpus of real reports when it is there.
@Suite(.enabled(if: JSONSchemaCheck.isAvailable, JSONSchemaCheck.missing))
struct OutputContractTests {
    static let environment = ["RUA_NOW": "2025-12-08T08:00:00Z", "RUA_OFFLINE": "1"]

    /// A database of the samples and, when present, the corpus; made once for the suite.
    static let database: String = {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("rua-contract-\(getpid())").path
        try? FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let path = folder + "/db.sqlite"
        let inputs = SampleReports.folders + (Corpus.isAvailable ? [Corpus.root.path] : [])
        _ = try? RuaExecutable.run(["import", "--quiet", "--db", path] + inputs)
        return path
    }()

    /// Each command with the schema its output follows.
    static let commands: [(arguments: [String], schema: String)] = [
        (["reports"], "reports"), (["reports", "--domain", "example.org"], "reports"),
        (["summary"], "summary"), (["summary", "--last", "30d"], "summary"),
        (["tls"], "tls"), (["tls", "--since", "2025-11-01"], "tls"),
        (["failures"], "failures"), (["failures", "--class", "forwarded", "--top", "3"], "failures"),
        (["sources"], "sources"), (["sources", "--top", "5"], "sources"),
        (["digest"], "digest"), (["digest", "--since", "2020-01-01", "--domain", "example.com"], "digest"),
        (["quarantine", "list"], "quarantine"), (["stats"], "stats"),
        (["alerts", "--dry-run"], "alerts"),
        (["alerts", "--dry-run", "--last", "30d", "--domain", "example.com"], "alerts"),
        (["export", "records"], "export-records"), (["export", "reports"], "export-reports"),
        (["export", "sources"], "export-sources"), (["export", "tls-failures"], "export-tls-failures"),
    ]

    @Test(arguments: commands.indices)
    func theJSONDocumentAndItsNDJSONRowsFollowTheSchema(_ index: Int) throws {
        let (arguments, schema) = Self.commands[index]
        let json = try RuaExecutable.run(
            arguments + ["--db", Self.database, "--format", "json"], environment: Self.environment)
        // rua alerts exits 1 when it found something new.
        let success: Set<Int32> = arguments[0] == "alerts" ? [0, 1] : [0]
        #expect(success.contains(json.status), "\(arguments): \(json.stderr)")
        #expect(try JSONSchemaCheck.errors(in: json.stdout, schema: schema) == [], "\(arguments)")
        let document = try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any]
        #expect(
            document?["command"] as? String == (arguments.first == "quarantine" ? "quarantine list" : arguments[0]))
        #expect(document?["generated_at"] as? String == "2025-12-08T08:00:00Z")
        let rows = try #require(document?["rows"] as? [Any])
        let ndjson = try RuaExecutable.run(
            arguments + ["--db", Self.database, "--format", "ndjson"], environment: Self.environment)
        #expect(success.contains(ndjson.status))
        #expect(ndjson.stdout.split(separator: "\n").count == rows.count, "\(arguments): one line a row")
        #expect(try JSONSchemaCheck.errors(in: ndjson.stdout, schema: schema, lines: true) == [], "\(arguments)")
    }

    @Test func importJSONLinesFollowTheSchema() throws {
        let temp = try TemporaryDirectory()
        let inputs = SampleReports.folders + (Corpus.isAvailable ? [Corpus.root.path] : [])
        let result = try RuaExecutable.run(["import", "--json", "--db", temp.path("db.sqlite")] + inputs)
        #expect(!result.stdout.isEmpty)
        #expect(try JSONSchemaCheck.errors(in: result.stdout, schema: "import", lines: true) == [])
    }

    /// A period asked for is in the document as asked: open ends stay open, and all time is `null`.
    @Test func thePeriodSaysWhatWasAskedFor() throws {
        func period(_ options: [String]) throws -> [String: Any]? {
            let result = try RuaExecutable.run(
                ["summary", "--db", Self.database, "--format", "json"] + options, environment: Self.environment)
            let document = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any]
            return document?["period"] as? [String: Any]
        }
        #expect(try period([]) == nil)
        let since = try #require(try period(["--since", "2025-11-01", "--tz", "Europe/Berlin"]))
        #expect(since["start"] as? String == "2025-10-31T23:00:00Z")
        #expect(since["end"] is NSNull)
        #expect(since["time_zone"] as? String == "Europe/Berlin")
        let last = try #require(try period(["--last", "7d"]))
        #expect(last["start"] as? String == "2025-12-01T00:00:00Z")
        #expect(last["end"] as? String == "2025-12-08T00:00:00Z")
    }
}

/// `--domain` takes an internationalised domain either way, whichever way its reports were sent.
@Suite struct InternationalDomainTests {
    @Test func aDomainMatchesInEitherFormWhateverFormItsReportsUse() throws {
        let temp = try TemporaryDirectory()
        try temp.write(
            "in/unicode.xml",
            SyntheticReport(
                org: "a.example", reportID: "u1", domain: "göpher.test", begin: 1_764_547_200,
                rows: [
                    .init("192.0.2.1", 3, headerFrom: "göpher.test")
                ]
            ).xml)
        try temp.write(
            "in/ascii.xml",
            SyntheticReport(
                org: "b.example", reportID: "a1", domain: "xn--bcher-kva.test", begin: 1_764_547_200,
                rows: [
                    .init("192.0.2.2", 4, headerFrom: "xn--bcher-kva.test")
                ]
            ).xml)
        let db = temp.path("db.sqlite")
        #expect(try RuaExecutable.run(["import", "--quiet", "--db", db, temp.path("in")]).status == 0)
        func reportIDs(_ domain: String, _ command: [String] = ["reports"]) throws -> String {
            let result = try RuaExecutable.run(
                command + ["--db", db, "--domain", domain, "--format", "csv"], environment: ["RUA_OFFLINE": "1"])
            #expect(result.status == 0, "\(result.stderr)")
            return result.stdout
        }
        for form in ["göpher.test", "xn--gpher-jua.test", "GÖPHER.test", "XN--GPHER-JUA.TEST."] {
            #expect(try reportIDs(form).contains(",u1,"), "\(form)")
            #expect(!(try reportIDs(form).contains(",a1,")))
        }
        for form in ["bücher.test", "xn--bcher-kva.test"] {
            #expect(try reportIDs(form).contains(",a1,"), "\(form)")
            #expect(try reportIDs(form, ["export", "records"]).contains("192.0.2.2"), "\(form)")
        }
    }
}

/// CSV cells hold data: empty when unknown, never a placeholder written for people.
@Suite struct CSVDataTests {
    @Test(arguments: [
        ["reports"], ["summary"], ["tls"], ["failures"], ["sources"], ["digest"], ["quarantine", "list"],
        ["export", "records"], ["export", "sources"],
    ])
    func csvCellsHoldNoDisplayPlaceholders(_ command: [String]) throws {
        let temp = try TemporaryDirectory()
        let db = temp.path("db.sqlite")
        _ = try RuaExecutable.run(["import", "--quiet", "--db", db] + SampleReports.folders)
        let result = try RuaExecutable.run(
            command + ["--db", db, "--format", "csv"],
            environment: ["RUA_OFFLINE": "1", "RUA_NOW": "2025-12-08T08:00:00Z"])
        #expect(result.status == 0)
        #expect(result.stdout.split(separator: "\r\n").count > 1, "\(command): rows")
        // Report data may hold a dash (an org name "A – B"); a cell that is nothing but a placeholder may not.
        let cells = result.stdout.split(separator: "\r\n").flatMap {
            $0.split(separator: ",", omittingEmptySubsequences: false)
        }
        for placeholder in ["–", "-", "?", "not looked up", "(not reported)", "DNS failed", "no PTR", "n/a"] {
            #expect(!cells.contains { $0 == placeholder }, "\(command): \(placeholder)")
        }
    }
}

/// CSV times are read as dates by a spreadsheet: LibreOffice Calc, headless, with its default CSV import.
@Suite(.enabled(if: LibreOffice.path != nil, "LibreOffice Calc is not installed (Scripts/install-deps.sh installs it)"))
struct SpreadsheetDateTests {
    static let soffice = LibreOffice.path

    @Test func libreOfficeReadsTheTimesOfEveryCSVAsDates() throws {
        let temp = try TemporaryDirectory()
        let db = temp.path("db.sqlite")
        _ = try RuaExecutable.run(["import", "--quiet", "--db", db] + SampleReports.folders)
        var files: [String] = []
        for (name, command) in [
            ("records", ["export", "records"]), ("reports", ["reports"]), ("quarantine", ["quarantine", "list"]),
        ] {
            let result = try RuaExecutable.run(command + ["--db", db, "--format", "csv"])
            files.append(try temp.write("\(name).csv", result.stdout))
        }
        let profile = "file://" + temp.path("profile")
        let converted = try RuaExecutable.run(
            [
                try #require(Self.soffice), "-env:UserInstallation=\(profile)", "--headless", "--convert-to", "fods",
                "--outdir", temp.path("out"),
            ] + files, viaShell: true)
        #expect(converted.status == 0, "\(converted.stderr)")
        for (name, columns) in [("records", 2), ("reports", 2), ("quarantine", 1)] {
            let sheet = try String(contentsOfFile: temp.path("out/\(name).fods"), encoding: .utf8)
            let dates = sheet.components(separatedBy: #"office:value-type="date""#).count - 1
            let rows =
                try String(contentsOfFile: temp.path("\(name).csv"), encoding: .utf8)
                .split(separator: "\r\n").count - 1
            #expect(rows > 0)
            #expect(dates == rows * columns, "\(name): \(dates) date cells for \(rows) rows")
        }
    }
}

enum LibreOffice {
    static let path = ["/usr/bin/soffice", "/usr/bin/libreoffice"].first {
        FileManager.default.isExecutableFile(atPath: $0)
    }
}

/// Text tables fit the terminal; values a reader copies are never cut; `--wide` shows everything.
@Suite struct TerminalWidthTests {
    static let environment = ["RUA_NOW": "2025-12-08T08:00:00Z", "RUA_OFFLINE": "1"]

    @Test(arguments: [["reports"], ["sources", "--since", "2020-01-01"], ["failures", "--since", "2020-01-01"]])
    func tablesFitTheColumnsAndKeepAddressesDomainsAndReportIDsWhole(_ command: [String]) throws {
        let temp = try TemporaryDirectory()
        let db = temp.path("db.sqlite")
        _ = try RuaExecutable.run(["import", "--quiet", "--db", db] + SampleReports.folders)
        let narrow = try RuaExecutable.run(
            command + ["--db", db], environment: Self.environment.merging(["COLUMNS": "72"]) { $1 })
        #expect(narrow.status == 0)
        let wide = try RuaExecutable.run(command + ["--db", db, "--wide"], environment: Self.environment)
        // Every address, domain and report id of the wide output is in the narrow one, whole.
        let csv = try RuaExecutable.run(command + ["--db", db, "--format", "ndjson"], environment: Self.environment)
        let rows = csv.stdout.split(separator: "\n").compactMap {
            try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
        }
        let values = rows.flatMap { row in
            ["source_ip", "report_id", "policy_domain"].compactMap { row[$0] as? String }
        }.filter { !$0.contains("\u{1B}") && $0.unicodeScalars.allSatisfy { $0.value < 0x80 } }
        #expect(!values.isEmpty)
        for value in values { #expect(narrow.stdout.contains(value), "\(command): \(value) cut") }
        // Table lines fit (prose is wrapped to the width; a value longer than the width alone may run over).
        let tableLines = narrow.stdout.split(separator: "\n").filter { $0.hasPrefix("  ") || $0.hasPrefix("20") }
        let tooWide = tableLines.filter { line in
            line.count > 72 && !values.contains { line.contains($0) && $0.count > 40 }
        }
        #expect(tooWide.isEmpty, "\(command): \(tooWide)")
        #expect(wide.stdout.split(separator: "\n").contains { $0.count > 72 }, "\(command): --wide is not fitted")
        if narrow.stdout.contains("left out to fit") { #expect(narrow.stdout.contains("--wide shows them")) }
    }

    @Test func colourOnlyWhenAskedOrOnATerminalAndNeverWithNoColor() throws {
        let temp = try TemporaryDirectory()
        let db = temp.path("db.sqlite")
        _ = try RuaExecutable.run(["import", "--quiet", "--db", db] + SampleReports.folders)
        let piped = try RuaExecutable.run(["summary", "--db", db])
        #expect(!piped.stdout.contains("\u{1B}["), "not a terminal: no colour")
        let forced = try RuaExecutable.run(["summary", "--db", db, "--color", "always"])
        #expect(forced.stdout.contains("\u{1B}[32mDMARC pass"))
        let never = try RuaExecutable.run(["summary", "--db", db, "--color", "never"], environment: ["NO_COLOR": ""])
        #expect(!never.stdout.contains("\u{1B}["))
    }
}
