import Foundation
import ReportIngest
import ReportModel
import ReportStore
import ReportTestSupport
import Testing

/// The `rua` executable run as a process: output snapshots and exit statuses.
@Suite(.serialized) struct CommandTests {
    @Test(arguments: TestEngine.available) func importJSONLinesCarryEveryKey(_ engine: TestEngine) throws {
        let temp = try TemporaryDirectory()
        let store = try TestDatabase(engine, in: temp)
        let result = try RuaExecutable.run([
            "import", "--json", "--db", store.argument, "SampleReports/dmarc",
            "SampleReports/quirks/bundle-of-reports.zip",
            "SampleReports/invalid/truncated.xml.gz", "SampleReports/tlsrpt",
        ])
        #expect(result.status == 65)
        assertSnapshot(result.stdout, named: "import.jsonl")
        #expect(result.stderr.contains("rejected inputs are kept with their reason"))
    }

    @Test(arguments: TestEngine.available) func importTextNamesEachProblemAndSummarises(_ engine: TestEngine) throws {
        let temp = try TemporaryDirectory()
        let store = try TestDatabase(engine, in: temp)
        let result = try RuaExecutable.run(["import", "--db", store.argument, "SampleReports/invalid"])
        #expect(result.status == 65)
        assertSnapshot(result.stdout, named: "import-invalid.txt")
    }

    @Test(arguments: TestEngine.available) func emptyFileIsRejectedByNameAndKept(_ engine: TestEngine) throws {
        let temp = try TemporaryDirectory()
        let store = try TestDatabase(engine, in: temp)
        let empty = try temp.write("empty.xml", [])
        let db = store.argument
        let result = try RuaExecutable.run(["import", "--db", db, empty])
        #expect(result.status == 65)
        #expect(result.stdout.contains("rejected  \(empty): empty (0 bytes)"))
        let kept = try RuaExecutable.run(["quarantine", "list", "--db", db])
        #expect(kept.stdout.contains("empty (0 bytes)"))
    }

    @Test(arguments: TestEngine.available) func importOfGoodReportsExitsZeroAndAgainReportsDuplicates(
        _ engine: TestEngine
    ) throws {
        let temp = try TemporaryDirectory()
        let store = try TestDatabase(engine, in: temp)
        let first = try RuaExecutable.run(["import", "--db", store.argument, "SampleReports/dmarc"])
        #expect(first.status == 0)
        let dmarc = SampleManifest.shared.dmarc
        #expect(
            first.stdout.contains(
                "\(dmarc.inputs) inputs read: \(dmarc.stored) reports stored, 0 duplicates, 0 rejected, 0 skipped"))
        let second = try RuaExecutable.run(["import", "--db", store.argument, "SampleReports/dmarc"])
        #expect(second.status == 0)
        #expect(second.stdout.contains("\(dmarc.inputs) inputs read: 0 reports stored, \(dmarc.stored) duplicates"))
    }

    /// In one run: a file that breaks off after hundreds of records, the same file twice, the same report
    /// in another wrapper, and a variant of it. PostgreSQL stores without looking first and learns of
    /// duplicates from its unique indexes; the outcome is SQLite's.
    @Test(arguments: TestEngine.available) func duplicatesVariantsAndABrokenFileInOneRunComeOutAsOnSQLite(
        _ engine: TestEngine
    ) throws {
        let temp = try TemporaryDirectory()
        let store = try TestDatabase(engine, in: temp)
        let rows: [SyntheticReport.Row] = (0..<400).map { .init("192.0.2.\($0 % 250)", $0 + 1) }
        let report = SyntheticReport(org: "Dup", reportID: "dup-1", begin: 1_764_547_200, rows: rows)
        var changed = report
        changed.rows[0].count += 1
        try temp.write("in/a.xml", report.xml)
        try temp.write("in/b-same-bytes.xml", report.xml)
        try temp.write("in/c-wrapped.xml.gz", Compression.gzip(report.xml))
        try temp.write("in/d-variant.xml", changed.xml)
        let whole = Compression.gzip(
            SyntheticReport(org: "Cut", reportID: "cut-1", begin: 1_764_547_200, rows: rows).xml)
        try temp.write("in/0-cut.xml.gz", Array(whole.prefix(whole.count * 3 / 4)))
        let imported = try RuaExecutable.run(["import", temp.path("in")] + store.arguments)
        #expect(
            imported.stdout.contains("5 inputs read: 2 reports stored, 2 duplicates, 1 rejected"), "\(imported.stdout)")
        #expect(imported.stdout.contains("0-cut.xml.gz: gzip stream truncated"), "\(imported.stdout)")
        let listed = try RuaExecutable.run(["reports", "--format", "ndjson"] + store.arguments).stdout
            .split(separator: "\n")
        #expect(listed.count == 2)
        #expect(listed.filter { $0.contains("\"counted\":true") }.count == 1, "\(listed)")
        // Nothing of the broken file stays: the records are the two reports'.
        let stats = try RuaExecutable.run(["stats", "--format", "json"] + store.arguments).stdout
        let document = try #require(try JSONSerialization.jsonObject(with: Data(stats.utf8)) as? [String: Any])
        #expect(document["records"] as? Int == 800, "\(stats)")
        let again = try RuaExecutable.run(
            ["import", temp.path("in/a.xml"), temp.path("in/d-variant.xml")] + store.arguments)
        #expect(again.stdout.contains("2 inputs read: 0 reports stored, 2 duplicates"), "\(again.stdout)")
    }

    @Test func databaseComesFromTheEnvironmentWhenNotGiven() throws {
        let temp = try TemporaryDirectory()
        let result = try RuaExecutable.run(
            ["import", "SampleReports/dmarc"], environment: ["RUA_DB": temp.path("env.sqlite")])
        #expect(result.status == 0)
        #expect(FileManager.default.fileExists(atPath: temp.path("env.sqlite")))
        let xdg = try RuaExecutable.run(
            ["import", "SampleReports/dmarc"], environment: ["XDG_DATA_HOME": temp.path("xdg")])
        #expect(xdg.status == 0)
        #expect(FileManager.default.fileExists(atPath: temp.path("xdg/rua/rua.sqlite")))
    }

    @Test func missingInputIsAnIOError() throws {
        let temp = try TemporaryDirectory()
        let result = try RuaExecutable.run(["import", "--db", temp.path("db.sqlite"), "no/such/file.xml"])
        #expect(result.status == 74)
        #expect(result.stdout.contains("error: no/such/file.xml: no such file or directory"))
    }

    @Test func usageErrorsExit64() throws {
        #expect(try RuaExecutable.run(["import", "--no-such-option"]).status == 64)
        #expect(try RuaExecutable.run(["summary", "--since", "yesterday-ish"]).status == 64)
        #expect(try RuaExecutable.run(["reports", "--format", "xml"]).status == 64)
    }

    @Test(arguments: TestEngine.available) func summaryAndReportsInEveryFormat(_ engine: TestEngine) throws {
        let temp = try TemporaryDirectory()
        let store = try TestDatabase(engine, in: temp)
        let db = store.argument
        _ = try RuaExecutable.run(["import", "--db", db] + SampleReports.folders)
        let now = ["RUA_NOW": "2025-12-08T08:00:00Z"]
        for format in ["text", "json", "ndjson", "csv"] {
            let summary = try RuaExecutable.run(["summary", "--db", db, "--format", format], environment: now)
            #expect(summary.status == 0)
            assertSnapshot(summary.stdout, named: "summary.\(format)")
            let reports = try RuaExecutable.run(
                ["reports", "--db", db, "--format", format, "--domain", "example.org"], environment: now)
            #expect(reports.status == 0)
            assertSnapshot(reports.stdout, named: "reports.\(format)")
        }
        let period = try RuaExecutable.run([
            "summary", "--db", db, "--since", "2025-12-01", "--until", "2025-12-01", "--domain", "example.net",
        ])
        assertSnapshot(period.stdout, named: "summary-period.text")
        let empty = try RuaExecutable.run(["summary", "--db", db, "--since", "2026-01-01"])
        #expect(empty.stdout == "no reports for since 2026-01-01 (UTC)\n")
    }
}

/// The database held by another writer past the busy timeout: a temporary failure, nothing written.
@Suite struct LockedDatabaseTests {
    @Test func aLockedDatabaseGivesExit75AndWritesNothing() throws {
        let temp = try TemporaryDirectory()
        let path = temp.path("db.sqlite")
        let holder = try ReportDatabase(path: path)
        let counts = try holder.tableCounts()
        let result = try holder.holdingWriteLock {
            try RuaExecutable.run(["import", "--db", path, "--busy-timeout", "0.3", "SampleReports/dmarc"])
        }
        #expect(result.status == 75)
        #expect(result.stdout.contains("error: SampleReports/dmarc/"))
        #expect(try holder.tableCounts() == counts)
    }
}

@Suite struct ConcurrentImportTests {
    @Test(arguments: TestEngine.available) func twoImportersOnTheSameInputsStoreEachReportOnce(
        _ engine: TestEngine
    ) async throws {
        let temp = try TemporaryDirectory()
        let store = try TestDatabase(engine, in: temp)
        let db = store.argument
        _ = try store.open()  // created and migrated before both start
        let arguments = ["import", "--json", "--db", db] + SampleReports.folders
        async let first = RuaExecutable.run(arguments)
        async let second = RuaExecutable.run(arguments)
        let results = try await [first, second]
        #expect(results.map(\.status) == [65, 65])
        #expect(results.allSatisfy { !$0.stdout.contains("database is locked") && !$0.stderr.contains("error:") })
        let stored = results.map {
            $0.stdout.split(separator: "\n").filter { $0.contains("\"outcome\":\"stored\"") }.count
        }
        #expect(stored.reduce(0, +) == SampleManifest.shared.all.stored)
        let database = try store.open()
        #expect(try database.tableCounts()["report"] == SampleManifest.shared.all.dmarcReports)
        #expect(try database.tableCounts()["input"] == SampleManifest.shared.all.inputs)
    }
}

@Suite struct QuarantineTests {
    @Test(arguments: TestEngine.available) func keptInputsAreListedShownAndWrittenBackByteForByte(
        _ engine: TestEngine
    ) throws {
        let temp = try TemporaryDirectory()
        let store = try TestDatabase(engine, in: temp)
        let db = store.argument
        _ = try RuaExecutable.run(["import", "--db", db, "SampleReports/invalid/bad-crc.xml.gz", "SampleReports/mail"])
        let list = try RuaExecutable.run(["quarantine", "list", "--db", db])
        #expect(list.status == 0)
        #expect(list.stdout.contains("#1  "))
        #expect(list.stdout.contains("rejected: compressed data is corrupt (incorrect data check)"))
        #expect(list.stdout.contains("skipped: failure report (ARF): not processed"))
        let rejectedOnly = try RuaExecutable.run(["quarantine", "list", "--rejected", "--format", "json", "--db", db])
        #expect(rejectedOnly.stdout.split(separator: "\n").count == 1)
        let show = try RuaExecutable.run(["quarantine", "show", "1", "--db", db])
        #expect(show.stdout.hasPrefix("input #1: SampleReports/invalid/bad-crc.xml.gz"))
        let exported = temp.path("exported.gz")
        let export = try RuaExecutable.run(["quarantine", "export", "1", "--output", exported, "--db", db])
        #expect(export.status == 0)
        #expect(
            try Array(Data(contentsOf: URL(fileURLWithPath: exported)))
                == SampleReports.bytes("invalid/bad-crc.xml.gz"))
        #expect(try RuaExecutable.run(["quarantine", "show", "999", "--db", db]).status == 64)
    }

    @Test(arguments: TestEngine.available) func reprocessingStoresWhatNowParsesAndNothingTwice(
        _ engine: TestEngine
    ) throws {
        let temp = try TemporaryDirectory()
        let store = try TestDatabase(engine, in: temp)
        let db = store.argument
        // Rejected under a tight cap, then run again with the default one.
        let first = try RuaExecutable.run([
            "import", "--db", db, "--max-report-bytes", "1K",
            "SampleReports/dmarc/protection.outlook.com!example.com!1764547200!1764633600.xml.gz",
            "SampleReports/mail/google-zip.eml",
        ])
        #expect(first.status == 65)
        let again = try RuaExecutable.run(["reprocess", "--all", "--json", "--db", db])
        #expect(again.status == 0)
        #expect(again.stdout.contains("\"outcome\":\"stored\""))
        let database = try store.open()
        #expect(try database.tableCounts()["report"] == 2)
        #expect(try database.quarantined(rejectedOnly: true).isEmpty)
        let twice = try RuaExecutable.run(["reprocess", "1", "2", "--db", db])
        #expect(twice.status == 0)
        #expect(try database.tableCounts()["report"] == 2)
        #expect(try database.tableCounts()["item"] == 2)
        #expect(try RuaExecutable.run(["reprocess", "--db", db]).status == 64)
    }
}

@Suite struct TLSCommandTests {
    @Test(arguments: TestEngine.available) func tlsSummaryInEveryFormat(_ engine: TestEngine) throws {
        let temp = try TemporaryDirectory()
        let store = try TestDatabase(engine, in: temp)
        let db = store.argument
        let imported = try RuaExecutable.run([
            "import", "--db", db, "SampleReports/tlsrpt", "SampleReports/mail/tlsrpt-google.eml",
        ])
        #expect(imported.status == 0)
        for format in ["text", "json", "ndjson", "csv"] {
            let result = try RuaExecutable.run(
                ["tls", "--db", db, "--format", format], environment: ["RUA_NOW": "2025-12-08T08:00:00Z"])
            #expect(result.status == 0)
            assertSnapshot(result.stdout, named: "tls.\(format)")
        }
        let text = try RuaExecutable.run(["tls", "--db", db, "--domain", "example.com"]).stdout
        #expect(text.contains("renew the certificate on mx1.example.com"))
        #expect(text.contains("check https://mta-sts.example.com/.well-known/mta-sts.txt"))
        let none = try RuaExecutable.run(["tls", "--db", db, "--since", "2026-01-01"])
        #expect(none.stdout == "no TLS reports for since 2026-01-01 (UTC)\n")
    }
}

/// Processes that open a new database at the same moment race to create its schema.
@Suite struct SimultaneousOpenTests {
    @Test(arguments: TestEngine.available)
    func processesOpeningANewDatabaseTogetherAllSucceed(_ engine: TestEngine) throws {
        let temp = try TemporaryDirectory()
        for round in 0..<10 {
            let store = try TestDatabase(engine, in: temp, file: "db-\(round).sqlite")
            let db = store.argument
            let processes = try (0..<6).map { _ -> Process in
                let process = Process()
                process.executableURL = RuaExecutable.url
                process.arguments = ["import", "--quiet", "--db", db, "SampleReports/tlsrpt"]
                process.standardOutput = FileHandle.nullDevice
                process.standardError = FileHandle.nullDevice
                try process.run()
                return process
            }
            for process in processes {
                process.waitUntilExit()
                #expect(process.terminationStatus == 0, "round \(round): a process failed to open the new database")
            }
            // Each migration applied once, whoever applied it.
            let applied = try store.open().appliedMigrations()
            #expect(applied == Array(Set(applied)).sorted() && !applied.isEmpty, "\(applied)")
        }
    }
}

/// `rua quarantine delete`: kept inputs go with everything of theirs; what stored reports stays.
@Suite struct QuarantineDeleteTests {
    @Test(arguments: TestEngine.available) func deletedInputsLeaveNothingBehindAndInputsWithReportsStay(
        _ engine: TestEngine
    ) throws {
        let temp = try TemporaryDirectory()
        let store = try TestDatabase(engine, in: temp)
        let db = store.argument
        _ = try RuaExecutable.run([
            "import", "--db", db, "SampleReports/invalid/bad-crc.xml.gz", "SampleReports/invalid/not-a-report.txt",
            "SampleReports/dmarc",
        ])
        let database = try store.open()
        let before = try database.tableCounts()
        let kept = try database.quarantined()
        #expect(kept.count == 2)
        let result = try RuaExecutable.run(["quarantine", "delete", "--db", db] + kept.map { String($0.id) })
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("2 inputs deleted"))
        let after = try database.tableCounts()
        #expect(try database.quarantined().isEmpty)
        #expect(after["input"] == (before["input"] ?? 0) - 2)
        #expect(after["input_blob"] == (before["input_blob"] ?? 0) - 2)
        #expect(after["report"] == before["report"], "the stored reports stay")
        // Every chunk belongs to a blob, every item to an input.
        let orphans = try database.orphanCounts()
        #expect(orphans == 0)
        // An input whose reports were stored is not in quarantine, and stays.
        let stored = try RuaExecutable.run(["quarantine", "delete", "--db", db, "3"])
        #expect(stored.status == 65)
        #expect(stored.stderr.contains("kept"))
        #expect(try RuaExecutable.run(["quarantine", "delete", "--db", db, "999"]).status == 74)
    }

    @Test(arguments: TestEngine.available) func olderThanDeletesOnlyInputsImportedBeforeTheSpan(
        _ engine: TestEngine
    ) throws {
        let temp = try TemporaryDirectory()
        let store = try TestDatabase(engine, in: temp)
        let db = store.argument
        _ = try RuaExecutable.run(
            ["import", "--db", db, "SampleReports/invalid/bad-crc.xml.gz"], environment: ["RUA_NOW": "2025-01-01"])
        _ = try RuaExecutable.run(
            ["import", "--db", db, "SampleReports/invalid/not-a-report.txt"], environment: ["RUA_NOW": "2025-06-01"])
        let result = try RuaExecutable.run(
            ["quarantine", "delete", "--older-than", "90d", "--db", db], environment: ["RUA_NOW": "2025-06-10"])
        #expect(result.status == 0)
        #expect(result.stdout.contains("bad-crc.xml.gz") && !result.stdout.contains("not-a-report.txt"))
        #expect(try store.open().quarantined().map(\.name) == ["SampleReports/invalid/not-a-report.txt"])
    }
}

/// `rua prune`: records and originals past a retention period go; what summaries and digests read stays.
@Suite struct PruneTests {
    @Test(arguments: TestEngine.available) func oldRecordsAndOriginalsGoWhileTotalsDuplicatesAndKeptInputsStay(
        _ engine: TestEngine
    ) throws {
        let temp = try TemporaryDirectory()
        let store = try TestDatabase(engine, in: temp)
        let db = store.argument
        let old = try temp.write(
            "old.xml",
            SyntheticReport(
                org: "Old", reportID: "old-1", begin: 1_704_067_200,
                rows: [
                    .init("192.0.2.1", 40), .init("192.0.2.2", 2, dkim: "fail", spf: "fail"),
                ]
            ).xml)
        let early = ["RUA_NOW": "2024-01-05"]
        _ = try RuaExecutable.run(
            ["import", "--db", db, old, "SampleReports/invalid/not-a-report.txt"], environment: early)
        _ = try RuaExecutable.run(
            ["import", "--db", db, "SampleReports/dmarc"], environment: ["RUA_NOW": "2025-12-02"])
        let now = ["RUA_NOW": "2025-12-08", "RUA_OFFLINE": "1"]
        let summaryBefore = try RuaExecutable.run(["summary", "--db", db, "--format", "json"], environment: now).stdout
        let recordsBefore = try RuaExecutable.run(
            ["export", "records", "--db", db, "--format", "csv"], environment: now
        )
        .stdout.split(separator: "\r\n").count

        let pruned = try RuaExecutable.run(["prune", "--older-than", "400d", "--all", "--db", db], environment: now)
        #expect(pruned.status == 0, "\(pruned.stderr)")
        #expect(pruned.stdout.contains("records of 1 reports deleted (2 records), 1 originals"))

        // The totals read from the rollups are what they were; the old report's records are gone.
        #expect(
            try RuaExecutable.run(["summary", "--db", db, "--format", "json"], environment: now).stdout == summaryBefore
        )
        let recordsAfter = try RuaExecutable.run(
            ["export", "records", "--db", db, "--format", "csv"], environment: now
        )
        .stdout.split(separator: "\r\n").count
        #expect(recordsAfter == recordsBefore - 2)
        let database = try store.open()
        #expect(try database.orphanCounts() == 0)
        // Its original is gone, its digest is not: the same file again is a duplicate.
        #expect(
            try database.originalBytes(
                sha256: SHA256Hasher.digest(Array(try Data(contentsOf: URL(fileURLWithPath: old))))) == nil)
        let again = try RuaExecutable.run(["import", "--db", db, old], environment: now)
        #expect(again.stdout.contains("1 duplicate"))
        // The listing says whose records were pruned.
        let listed = try RuaExecutable.run(["reports", "--db", db, "--format", "ndjson"], environment: now).stdout
        let oldReport = listed.split(separator: "\n").first { $0.contains("\"old-1\"") }
        #expect(oldReport?.contains("\"records_pruned\":true") == true)
        #expect(listed.split(separator: "\n").filter { $0.contains("\"records_pruned\":true") }.count == 1)
        // The input kept with a reason keeps its bytes.
        let kept = try #require(try database.quarantined().first)
        #expect(
            try database.originalBytes(sha256: kept.sha256) == (try SampleReports.bytes("invalid/not-a-report.txt")))
    }
}

/// `rua config`: a retention kept in the database, applied by every import.
@Suite struct RetentionConfigTests {
    @Test(arguments: TestEngine.available) func aRetentionSetOnceIsAppliedByTheNextImport(_ engine: TestEngine) throws {
        let temp = try TemporaryDirectory()
        let store = try TestDatabase(engine, in: temp)
        let db = store.argument
        let old = try temp.write(
            "old.xml",
            SyntheticReport(org: "Old", reportID: "old-1", begin: 1_704_067_200, rows: [.init("192.0.2.1", 40)]).xml)
        _ = try RuaExecutable.run(["import", "--quiet", "--db", db, old], environment: ["RUA_NOW": "2024-01-05"])
        #expect(try RuaExecutable.run(["config", "set", "retention.records", "nonsense", "--db", db]).status == 64)
        let set = try RuaExecutable.run(["config", "set", "retention.records", "400d", "--db", db])
        #expect(set.status == 0)
        #expect(try RuaExecutable.run(["config", "--db", db]).stdout.contains("retention.records = 400d"))
        // Nothing was pruned yet; the next import applies the retention.
        func pruned() throws -> Bool {
            try RuaExecutable.run(["reports", "--db", db, "--format", "ndjson"]).stdout.contains(
                "\"records_pruned\":true")
        }
        #expect(try !pruned())
        let imported = try RuaExecutable.run(
            ["import", "--db", db, "SampleReports/dmarc"], environment: ["RUA_NOW": "2025-12-08"])
        #expect(imported.status == 0)
        #expect(imported.stderr.contains("retention: records of 1 reports and 0 originals deleted"))
        #expect(try pruned())
        #expect(
            try RuaExecutable.run(["config", "unset", "retention.records", "--db", db]).stdout.contains("(not set)"))
    }
}
