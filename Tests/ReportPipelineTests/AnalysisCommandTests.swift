import Foundation
import ReportTestSupport
import Testing

/// `rua failures`, `digest` and `export` run as processes on the samples, with the clock pinned.
@Suite(.serialized) struct AnalysisCommandTests {
    /// Imports the samples as if on 2025-12-02, so the digest of the week to 2025-12-02 sees them.
    /// The samples in a SQLite file of `temp`; its path.
    static func sampleDatabase(_ temp: TemporaryDirectory) throws -> String {
        try sampleDatabase(temp, .sqlite).argument
    }

    /// The samples in a database of `engine`.
    static func sampleDatabase(_ temp: TemporaryDirectory, _ engine: TestEngine) throws -> TestDatabase {
        let database = try TestDatabase(engine, in: temp)
        let imported = try RuaExecutable.run(
            ["import", "--quiet"] + database.arguments + SampleReports.folders,
            environment: ["RUA_NOW": "2025-12-02T06:00:00Z"])
        #expect(imported.status == 65)  // the invalid samples are rejected and kept
        return database
    }

    /// The clock pinned, and no DNS: the samples use documentation addresses, and tests never touch the internet.
    static let now = ["RUA_NOW": "2025-12-03T10:00:00Z", "RUA_OFFLINE": "1"]

    @Test(arguments: TestEngine.available) func failuresAndDigestInEveryFormat(_ engine: TestEngine) throws {
        let temp = try TemporaryDirectory()
        let database = try Self.sampleDatabase(temp, engine)
        let db = database.argument
        for format in ["text", "markdown", "html", "json", "csv"] {
            let failures = try RuaExecutable.run(
                ["failures", "--db", db, "--last", "7d", "--format", format], environment: Self.now)
            #expect(failures.status == 0, "failures \(format): \(failures.stderr)")
            assertSnapshot(failures.stdout, named: "failures.\(format)")
            let digest = try RuaExecutable.run(["digest", "--db", db, "--format", format], environment: Self.now)
            #expect(digest.status == 0, "digest \(format): \(digest.stderr)")
            assertSnapshot(digest.stdout, named: "digest.\(format)")
        }
        let text = try RuaExecutable.run(["digest", "--db", db], environment: Self.now).stdout
        #expect(text.split(separator: "\n").allSatisfy { $0.count <= 100 })
        let failures = try RuaExecutable.run(["failures", "--db", db, "--last", "7d"], environment: Self.now).stdout
        #expect(failures.split(separator: "\n").allSatisfy { $0.count <= 100 })
    }

    @Test(arguments: TestEngine.available) func exportsInEveryFormat(_ engine: TestEngine) throws {
        let temp = try TemporaryDirectory()
        let database = try Self.sampleDatabase(temp, engine)
        let db = database.argument
        for kind in ["records", "reports", "sources", "tls-failures"] {
            for format in ["csv", "json", "ndjson"] {
                let result = try RuaExecutable.run(
                    ["export", kind, "--db", db, "--format", format, "--domain", "example.org"], environment: Self.now)
                #expect(result.status == 0, "\(kind) \(format): \(result.stderr)")
                assertSnapshot(result.stdout, named: "export-\(kind).\(format)")
            }
        }
        let exploded = try RuaExecutable.run(
            ["export", "records", "--explode", "--db", db, "--domain", "example.net"], environment: Self.now)
        assertSnapshot(exploded.stdout, named: "export-records-explode.csv")
        let json = try RuaExecutable.run(["export", "records", "--db", db, "--format", "json"], environment: Self.now)
        let document = try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any]
        #expect(document?["command"] as? String == "export")
        let parsed = document?["rows"] as? [[String: Any]]
        let ndjson = try RuaExecutable.run(
            ["export", "records", "--db", db, "--format", "ndjson"], environment: Self.now)
        #expect(parsed?.count == ndjson.stdout.split(separator: "\n").count)
        #expect((parsed?.count ?? 0) > 50)
    }

    @Test(arguments: TestEngine.available) func theDigestGoesToAFileAndTheExitStatusFollowsFailUnder(
        _ engine: TestEngine
    ) throws {
        let temp = try TemporaryDirectory()
        let database = try Self.sampleDatabase(temp, engine)
        let db = database.argument
        let file = temp.path("digest.html")
        let written = try RuaExecutable.run(
            ["digest", "--db", db, "--format", "html", "--output", file, "--fail-under", "90%"], environment: Self.now)
        // example.org and example.net pass 86.6% and 86.2%: below 90%.
        #expect(written.status == 1)
        #expect(written.stderr.contains("DMARC pass rate below 90% for example.org, example.net"))
        #expect(written.stdout.isEmpty)
        let page = try String(contentsOfFile: file, encoding: .utf8)
        #expect(page.hasPrefix("<!DOCTYPE html>"))
        #expect(!FileManager.default.fileExists(atPath: file + ".part"))
        let passing = try RuaExecutable.run(["digest", "--db", db, "--fail-under", "0.8"], environment: Self.now)
        #expect(passing.status == 0)
        let bad = try RuaExecutable.run(["digest", "--db", db, "--fail-under", "lots"], environment: Self.now)
        #expect(bad.status == 64)
    }

    @Test(arguments: TestEngine.available) func failuresFilterByClassSortAndTop(_ engine: TestEngine) throws {
        let temp = try TemporaryDirectory()
        let database = try Self.sampleDatabase(temp, engine)
        let db = database.argument
        func sources(_ options: [String]) throws -> [[String: Any]] {
            let result = try RuaExecutable.run(
                ["failures", "--db", db, "--last", "7d", "--format", "json"] + options, environment: Self.now)
            #expect(result.status == 0, "\(result.stderr)")
            let object = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any]
            return object?["rows"] as? [[String: Any]] ?? []
        }
        let all = try sources([])
        #expect(Set(all.compactMap { $0["class"] as? String }) == ["unauthorized", "forwarded", "misconfigured"])
        let misconfigured = try sources(["--class", "misconfigured"])
        #expect(!misconfigured.isEmpty && misconfigured.allSatisfy { $0["class"] as? String == "misconfigured" })
        let sorted = try sources(["--sort", "source", "--top", "3"])
        let keys = sorted.map { "\($0["policy_domain"] ?? "") \($0["source_ip"] ?? "")" }
        #expect(keys.count == 3)
        #expect(keys == keys.sorted())
        let messages = all.compactMap { $0["messages"] as? Int }
        #expect(messages == messages.sorted(by: >))
    }

    @Test(arguments: TestEngine.available) func bareDatesAreDaysInTheTimeZoneGiven(_ engine: TestEngine) throws {
        let temp = try TemporaryDirectory()
        let database = try Self.sampleDatabase(temp, engine)
        let db = database.argument
        // The samples begin at 2025-12-01 00:00 UTC: still 30 November in Los Angeles.
        let utc = try RuaExecutable.run(["reports", "--db", db, "--since", "2025-12-01"], environment: Self.now)
        #expect(utc.stdout.contains("2025-12-01"))
        let pacific = try RuaExecutable.run(
            ["reports", "--db", db, "--since", "2025-12-01", "--tz", "America/Los_Angeles"], environment: Self.now)
        #expect(pacific.stdout.hasPrefix("no reports"))
        let day = try RuaExecutable.run(
            ["summary", "--db", db, "--since", "2025-11-30", "--until", "2025-11-30", "--tz", "America/Los_Angeles"],
            environment: Self.now)
        #expect(day.stdout.contains("15,096 messages"))
    }

    @Test(arguments: TestEngine.available) func anEmptyPeriodSaysSoExplicitly(_ engine: TestEngine) throws {
        let temp = try TemporaryDirectory()
        let database = try Self.sampleDatabase(temp, engine)
        let db = database.argument
        let result = try RuaExecutable.run(
            ["digest", "--db", db, "--since", "2026-01-01", "--until", "2026-01-07"], environment: Self.now)
        #expect(result.status == 0)
        #expect(result.stdout.contains("No reports at all in this period"))
        let json = try RuaExecutable.run(
            ["digest", "--db", db, "--last", "1w", "--format", "json"],
            environment: ["RUA_NOW": "2026-02-01", "RUA_OFFLINE": "1"])
        #expect(json.stdout.contains("\"empty\":true"))
    }

    @Test func theHTMLCheckCatchesBrokenHTML() {
        #expect(HTMLCheck.parse("<!DOCTYPE html><html><body><p>fine</p></body></html>").wellFormed)
        #expect(!HTMLCheck.parse("<!DOCTYPE html><html><body><p>a</b></p><td <x</body></html>").wellFormed)
        #expect(!HTMLCheck.parse("<html><body><p title=\"a\" title=\"b\">x</p></body></html>").wellFormed)
    }

    @Test(arguments: TestEngine.available) func theHTMLIsWellFormedWithEveryReportStringEscaped(
        _ engine: TestEngine
    ) throws {
        let temp = try TemporaryDirectory()
        let database = try Self.sampleDatabase(temp, engine)
        let db = database.argument
        let hostile = try temp.write("hostile.xml", Self.hostileReport.xml)
        _ = try RuaExecutable.run(["import", "--quiet", "--db", db, hostile], environment: Self.now)
        for command in [["digest"], ["failures", "--last", "7d"]] {
            let result = try RuaExecutable.run(
                command + ["--db", db, "--format", "html"], environment: Self.now)
            let page = HTMLCheck.parse(result.stdout)
            #expect(page.wellFormed, "\(command[0]) HTML is not well-formed: \(page.errors)")
            #expect(!page.elements.contains("script"))
            #expect(result.stdout.contains("green DMARC pass, red fail") || command[0] == "failures")
            // header_from is a domain: the parser lower-cases it.
            #expect(page.cellTexts.contains { $0.contains("=cmd|' /c calc'!a0") })
            #expect(!result.stdout.contains("<script>"))
        }
        let text = try RuaExecutable.run(["failures", "--db", db, "--last", "7d"], environment: Self.now).stdout
        #expect(!text.contains("\u{1B}"))
    }

    @Test(
        .enabled(
            if: FileManager.default.isExecutableFile(atPath: "/usr/bin/python3"),
            "/usr/bin/python3 (the standard CSV reader used here) is not installed"), arguments: TestEngine.available)
    func csvReadsBackWithAStandardReaderAndFormulasAreNeutralized(_ engine: TestEngine) throws {
        let temp = try TemporaryDirectory()
        let database = try Self.sampleDatabase(temp, engine)
        let db = database.argument
        let hostile = try temp.write("hostile.xml", Self.hostileReport.xml)
        _ = try RuaExecutable.run(["import", "--quiet", "--db", db, hostile], environment: Self.now)
        let file = temp.path("records.csv")
        let result = try RuaExecutable.run(
            ["export", "records", "--db", db, "--excel", "--output", file], environment: Self.now)
        #expect(result.status == 0)
        let bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: file)))
        #expect(bytes.starts(with: [0xEF, 0xBB, 0xBF]))
        // Python's csv module, strict: every row must have the header's number of cells.
        let script = """
            import csv, json, sys
            with open(sys.argv[1], newline="", encoding="utf-8-sig") as f:
                rows = list(csv.reader(f, strict=True))
            assert all(len(r) == len(rows[0]) for r in rows), "ragged rows"
            print(json.dumps([dict(zip(rows[0], r)) for r in rows[1:]]))
            """
        let python = Process()
        python.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
        python.arguments = ["-c", script, file]
        let pipe = Pipe()
        python.standardOutput = pipe
        try python.run()
        let output = pipe.fileHandleForReading.readDataToEndOfFile()
        python.waitUntilExit()
        #expect(python.terminationStatus == 0)
        let rows = try JSONSerialization.jsonObject(with: output) as? [[String: String]] ?? []
        let hostileRows = rows.filter { $0["report_id"] == "hostile-1" }
        #expect(hostileRows.count == 2)
        #expect(hostileRows.contains { $0["header_from"] == "'=cmd|' /c calc'!a0" })
        #expect(hostileRows.contains { $0["header_from"] == "'@sum(1+1)" })
        #expect(hostileRows.allSatisfy { $0["org_name"] == "<script>alert(\"x\")</script>\nEvil, Inc." })
        #expect(rows.count > 50)
    }

    static let hostileReport = SyntheticReport(
        org: "<script>alert(\"x\")</script>\nEvil, Inc.", reportID: "hostile-1", domain: "example.com",
        begin: 1_764_633_600,
        rows: [
            .init("203.0.113.66", 5, dkim: "fail", spf: "fail", headerFrom: "=cmd|' /C calc'!A0"),
            .init("203.0.113.67", 3, dkim: "fail", spf: "fail", headerFrom: "@SUM(1+1)"),
        ])
}

/// `rua stats`: what the database holds, from its own counts and pages.
@Suite struct StatsCommandTests {
    @Test(arguments: TestEngine.available) func statsCountWhatTheImportStoredAndSizeEveryTable(
        _ engine: TestEngine
    ) throws {
        let temp = try TemporaryDirectory()
        let database = try TestDatabase(engine, in: temp)
        let db = database.argument
        _ = try RuaExecutable.run(["import", "--quiet", "--db", db] + SampleReports.folders)
        let result = try RuaExecutable.run(["stats", "--db", db, "--format", "json"])
        #expect(result.status == 0, "\(result.stderr)")
        let document = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        let manifest = SampleManifest.shared.all
        #expect(document["inputs"] as? Int == manifest.inputs)
        let tables = try #require(document["rows"] as? [[String: Any]])
        let record = try #require(tables.first { $0["table"] as? String == "record" })
        #expect((record["rows"] as? Int ?? 0) > 0 && (record["bytes"] as? Int ?? 0) > 0)
        let sizes = tables.compactMap { $0["bytes"] as? Int }
        #expect(sizes == sizes.sorted(by: >), "largest first")
        #expect((document["file_bytes"] as? Int ?? 0) >= sizes.reduce(0, +) - (document["free_bytes"] as? Int ?? 0))
        #expect(document["first_report_begin"] as? String == "2025-12-01T00:00:00Z")
        #expect(document["engine"] as? String == engine.rawValue)
        let text = try RuaExecutable.run(["stats", "--db", db]).stdout
        #expect(text.contains("\(manifest.inputs) inputs kept"))
    }
}
