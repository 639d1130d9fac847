import Foundation
import ReportModel
import ReportPipeline
import ReportStore
import ReportTestSupport
import Testing

/// Rua runs from cron, MTAs and scripts: a broken setup must not look healthy.
@Suite struct LoudFailureTests {
    static let readingCommands: [[String]] = [
        ["reports"], ["summary"], ["tls"], ["failures"], ["sources"], ["digest"], ["export", "records"],
        ["quarantine", "list"], ["stats"],
    ]

    @Test(arguments: readingCommands)
    func aReadingCommandNeverCreatesADatabaseAndExits66(_ command: [String]) throws {
        let temp = try TemporaryDirectory()
        let mistyped = temp.path("rua.sqlit")
        let result = try RuaExecutable.run(command + ["--db", mistyped], environment: ["RUA_OFFLINE": "1"])
        #expect(result.status == 66)
        #expect(result.stderr == "rua: no database at \(mistyped); import reports first, or check --db / RUA_DB\n")
        #expect(result.stdout.isEmpty)
        #expect(!FileManager.default.fileExists(atPath: mistyped))
    }

    @Test func versionIsPrinted() throws {
        let result = try RuaExecutable.run(["--version"])
        #expect(result.status == 0)
        #expect(result.stdout.range(of: #"^\d+\.\d+\.\d+\n$"#, options: .regularExpression) != nil)
    }

    @Test func aMistypedCommandSuggestsTheNearestOne() throws {
        let result = try RuaExecutable.run(["reprots"])
        #expect(result.status == 64)
        #expect(result.stderr.hasPrefix("rua: unknown command 'reprots'; did you mean 'reports'?\n"))
        let far = try RuaExecutable.run(["frobnicate"])
        #expect(far.status == 64)
        #expect(far.stderr.hasPrefix("rua: unknown command 'frobnicate'\n"))
    }

    @Test func aBadOptionPrintsTheSubcommandsUsage() throws {
        let result = try RuaExecutable.run(["summary", "--bogus"])
        #expect(result.status == 64)
        #expect(result.stderr.contains("Usage: rua summary [--domain <domain>]"))
    }

    static let subcommands: [[String]] = [
        ["import"], ["reports"], ["summary"], ["failures"], ["digest"], ["sources"], ["tls"], ["export"],
        ["quarantine", "list"], ["quarantine", "show"], ["quarantine", "export"], ["quarantine", "delete"],
        ["reprocess"], ["stats"], ["prune"], ["config", "list"], ["config", "set"], ["config", "unset"],
    ]

    /// Every option the help lists is on its USAGE line, and no help text shows a stray backslash.
    @Test(arguments: subcommands)
    func helpListsEveryOptionOnItsUsageLineWithoutStrayBackslashes(_ command: [String]) throws {
        let help = try RuaExecutable.run(command + ["--help"]).stdout
        #expect(!help.contains("\\"))
        let usage = try #require(help.split(separator: "\n").first { $0.hasPrefix("USAGE:") })
        let options = help.split(separator: "\n").compactMap { line -> String? in
            guard let match = line.firstMatch(of: /^  (?:-[a-z], )?(--[a-z-]+)/) else { return nil }
            return String(match.1)
        }.filter { $0 != "--help" && $0 != "--version" }
        #expect(!options.isEmpty || command == ["quarantine", "list"])
        for option in options { #expect(usage.contains(option), "\(option) missing from \(usage)") }
    }

    @Test func quietImportIsSilentOnSuccessButNamesEveryRejectedInputOnStandardError() throws {
        let temp = try TemporaryDirectory()
        let good = try RuaExecutable.run(["import", "--quiet", "--db", temp.path("db.sqlite"), "SampleReports/dmarc"])
        #expect(good.status == 0)
        #expect(good.stdout.isEmpty && good.stderr.isEmpty)
        let bad = try RuaExecutable.run([
            "import", "--quiet", "--db", temp.path("db.sqlite"), "SampleReports/invalid/truncated.xml.gz",
            "SampleReports/invalid/not-a-report.txt",
        ])
        #expect(bad.status == 65)
        #expect(bad.stdout.isEmpty)
        #expect(bad.stderr.contains("rua: rejected  SampleReports/invalid/truncated.xml.gz: "))
        #expect(bad.stderr.contains("rua: rejected  SampleReports/invalid/not-a-report.txt: not a report"))
    }

    @Test func aDirectoryHoldingTheDatabaseIsImportedWithoutTheDatabaseFiles() throws {
        let temp = try TemporaryDirectory()
        let folder = temp.path("reports")
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        try temp.write(
            "reports/r.xml.gz", try SampleReports.bytes("dmarc/yahoo.com!example.org!1764547200!1764633599.xml.gz"))
        let database = folder + "/rua.sqlite"
        _ = try RuaExecutable.run(["import", "--db", database, "SampleReports/tlsrpt"])
        #expect(FileManager.default.fileExists(atPath: database))
        let summary = try ImportPipeline(database: ReportDatabase(path: database)).importPaths([folder])
        #expect(summary.rejected == 0)
        #expect(summary.stored == 1)
        #expect(summary.passedOver.contains("\(database): the database this import writes to: not read"))
    }
}

/// `rua digest --fail-under` and `--expect-reports` fail when reports stop arriving, not only when they
/// say mail fails.
@Suite struct MissingReportTests {
    /// 2025-12-01 00:00 UTC: the period of `RUA_NOW=2025-12-08T08:00:00Z` begins then.
    static let periodStart: Int64 = 1_764_547_200

    /// Writes daily reports: `example.com` from a daily reporter until `dailyUntil` days before the
    /// period's end, and `example.org` only in the week before the period.
    func history(dailyUntil: Int, into temp: TemporaryDirectory) throws -> String {
        var day = -35
        while day < 7 - dailyUntil {
            let begin = Self.periodStart + Int64(day) * 86_400
            try temp.write(
                "in/daily-\(day + 100).xml",
                SyntheticReport(org: "daily.example", reportID: "d\(day)", begin: begin, rows: [.init("192.0.2.1", 10)])
                    .xml)
            day += 1
        }
        for day in -7..<0 {
            let begin = Self.periodStart + Int64(day) * 86_400
            try temp.write(
                "in/org-\(day + 100).xml",
                SyntheticReport(
                    org: "weekly.example", reportID: "o\(day)", domain: "example.org", begin: begin,
                    rows: [.init("192.0.2.2", 5, headerFrom: "example.org")]
                ).xml)
        }
        let database = temp.path("db.sqlite")
        let imported = try RuaExecutable.run(["import", "--quiet", "--db", database, temp.path("in")])
        #expect(imported.status == 0, "\(imported.stderr)")
        return database
    }

    func digest(_ database: String, _ options: [String]) throws -> (status: Int32, stdout: String, stderr: String) {
        try RuaExecutable.run(
            ["digest", "--db", database] + options,
            environment: ["RUA_NOW": "2025-12-08T08:00:00Z", "RUA_OFFLINE": "1"])
    }

    @Test func aDomainThatStoppedReportingAndASilentDailyReporterExit2() throws {
        let temp = try TemporaryDirectory()
        // The daily reporter stopped before the period: all of the period is silent for it.
        let database = try history(dailyUntil: 8, into: temp)
        let result = try digest(database, ["--expect-reports"])
        #expect(result.status == 2)
        #expect(result.stderr.contains("rua: reports missing: no report at all arrived in the period"))
        #expect(result.stderr.contains("rua: reports missing: example.org: no report in the period"))
        #expect(result.stderr.contains("rua: reports missing: example.com: daily.example sent 27 reports"))
        #expect(!result.stdout.isEmpty, "the digest is still written")
        // --fail-under checks the same, and without either the digest exits 0.
        #expect(try digest(database, ["--fail-under", "95"]).status == 2)
        #expect(try digest(database, []).status == 0)
    }

    @Test func reportsArrivingAsBeforePassTheCheck() throws {
        let temp = try TemporaryDirectory()
        let database = try history(dailyUntil: 0, into: temp)
        let result = try digest(database, ["--expect-reports"])
        // example.org reported only in the week before: it is missing; the daily reporter is not.
        #expect(result.status == 2)
        #expect(!result.stderr.contains("daily.example"))
        #expect(!result.stderr.contains("no report at all"))
    }
}

/// Under `--quiet`, a failure is named alone: no totals such as "0 inputs read" around it.
@Suite struct QuietFailureTests {
    @Test func aQuietImportNamesTheFailureWithoutTotals() throws {
        let temp = try TemporaryDirectory()
        let missing = temp.path("nowhere.xml")
        let result = try RuaExecutable.run(["import", "--quiet", "--db", temp.path("db.sqlite"), missing])
        #expect(result.status == 74)
        #expect(result.stdout.isEmpty)
        #expect(result.stderr == "rua: \(missing): no such file or directory\n")
    }
}
