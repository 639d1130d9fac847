import Foundation
import ReportModel
import ReportStore
import ReportTestSupport
import Testing

/// What only PostgreSQL has: a server to reach and log in to, several hosts' importers at once, and the
/// settings that name it.
@Suite(PostgresTestServer.enabled) struct PostgresConnectionTests {
    @Test func aURLHoldingAPasswordIsRefusedWithoutPrintingIt() throws {
        let result = try RuaExecutable.run(["summary", "--db", "postgresql://rua:s3cret@127.0.0.1:15432/postgres"])
        #expect(result.status == 64)
        #expect(result.stderr.contains("~/.pgpass, PGPASSWORD or --db-password-file"))
        #expect(!result.stderr.contains("s3cret"))
        // An MTA's message is kept for later rather than bounced: the setting is the administrator's to mend.
        let piped = try RuaExecutable.run(
            ["import", "--db", "postgresql://rua:s3cret@127.0.0.1:15432/postgres"],
            input: Array(try SampleReports.bytes("mail/google-zip.eml")))
        #expect(piped.status == 75)
    }

    @Test func thePasswordComesFromAFileWhenTheEnvironmentHasNone() throws {
        let temp = try TemporaryDirectory()
        let store = try TestDatabase(.postgresql, in: temp)
        let server = try #require(PostgresTestServer.current)
        let file = try temp.write("pgpassword", server.password + "\n")
        let noPassword = ["PGPASSWORD": "", "PGPASSFILE": "/nonexistent"]
        let imported = try RuaExecutable.run(
            ["import", "--db", store.argument, "--db-password-file", file, "SampleReports/dmarc"],
            environment: noPassword)
        #expect(imported.status == 0, "\(imported.stderr)")
        let fromEnvironment = try RuaExecutable.run(
            ["summary", "--db", store.argument], environment: noPassword.merging(["RUA_DB_PASSWORD_FILE": file]) { $1 })
        #expect(fromEnvironment.status == 0, "\(fromEnvironment.stderr)")
        let wrong = try temp.write("wrong", "not-the-password\n")
        let refused = try RuaExecutable.run(
            ["summary", "--db", store.argument, "--db-password-file", wrong], environment: noPassword)
        #expect(refused.status == 74)
        #expect(refused.stderr.contains("password authentication failed"))
        #expect(refused.stderr.contains("cannot connect to PostgreSQL at \(store.argument)"))
        let missing = try RuaExecutable.run(
            ["summary", "--db", store.argument, "--db-password-file", temp.path("none")], environment: noPassword)
        #expect(missing.status == 64)
        #expect(missing.stderr.contains("cannot be read"))
    }

    @Test func anUnreachableServerIsATemporaryFailureForEveryCommand() throws {
        let closed = "postgresql://rua@127.0.0.1:\(try DNSServer.freePort())/rua"
        let piped = try RuaExecutable.run(
            ["import", "--db", closed], input: Array(try SampleReports.bytes("mail/google-zip.eml")))
        #expect(piped.status == 75)
        #expect(piped.stderr.contains("cannot connect to PostgreSQL at \(closed)"))
        let files = try RuaExecutable.run(["import", "--db", closed, "SampleReports/dmarc"])
        #expect(files.status == 75)
        #expect(try RuaExecutable.run(["summary", "--db", closed]).status == 75)
    }

    @Test func verifyFullChecksTheServersCertificateAgainstTheCAGiven() throws {
        let temp = try TemporaryDirectory()
        let store = try TestDatabase(.postgresql, in: temp)
        let services = "/var/lib/rua-test/tls"
        let trusted = try RuaExecutable.run([
            "import", "--db", store.argument + "?sslmode=verify-full&sslrootcert=\(services)/ca.crt",
            "SampleReports/tlsrpt",
        ])
        #expect(trusted.status == 0, "\(trusted.stderr)")
        // The test app's self-signed certificate did not sign the server's.
        let untrusted = try RuaExecutable.run([
            "summary", "--db", store.argument + "?sslmode=verify-full&sslrootcert=\(services)/app.crt",
        ])
        #expect(untrusted.status == 74)
        #expect(untrusted.stderr.contains("certificate verify failed"), "\(untrusted.stderr)")
        #expect(!untrusted.stderr.contains("sslrootcert"), "the URL's options are not printed")
    }

    @Test func theConfigurationFileNamesTheDatabaseAndItsPasswordFile() throws {
        let temp = try TemporaryDirectory()
        let store = try TestDatabase(.postgresql, in: temp)
        let server = try #require(PostgresTestServer.current)
        let password = try temp.write("pgpassword", server.password + "\n")
        let config = try temp.write(
            "rua.conf", "# the shared database\ndb = \(store.argument)\ndb-password-file = \(password)\n")
        let environment = ["RUA_CONFIG": config, "PGPASSWORD": "", "PGPASSFILE": "/nonexistent"]
        let imported = try RuaExecutable.run(["import", "--quiet", "SampleReports/dmarc"], environment: environment)
        #expect(imported.status == 0, "\(imported.stderr)")
        let stats = try RuaExecutable.run(["stats", "--format", "json"], environment: environment)
        #expect(stats.stdout.contains("\"engine\":\"postgresql\""))
        // --db and RUA_DB come first.
        let local = try RuaExecutable.run(
            ["import", "--quiet", "SampleReports/dmarc"],
            environment: environment.merging(["RUA_DB": temp.path("x.sqlite")]) { $1 })
        #expect(local.status == 0)
        #expect(FileManager.default.fileExists(atPath: temp.path("x.sqlite")))
        let broken = try temp.write("broken.conf", "db = \(store.argument)\ndatabase = other\n")
        let refused = try RuaExecutable.run(["summary"], environment: ["RUA_CONFIG": broken])
        #expect(refused.status == 64)
        #expect(refused.stderr.contains("\(broken):2: unknown key database"))
    }
}

extension PostgresConnectionTests {
    /// PostgreSQL's text holds no NUL: a report field with one is stored as on SQLite (the parser's
    /// replacement character), not refused or cut short.
    @Test func aNULInAReportFieldIsStoredAsOnSQLiteNotCutOrRefused() throws {
        let temp = try TemporaryDirectory()
        let store = try TestDatabase(.postgresql, in: temp)
        let report = """
            {"organization-name":"Evil\\u0000Corp","date-range":{"start-datetime":"2025-12-01T00:00:00Z",
             "end-datetime":"2025-12-01T23:59:59Z"},"contact-info":"tls@evil.test","report-id":"nul-1",
             "policies":[{"policy":{"policy-type":"sts","policy-domain":"example.com"},
              "summary":{"total-successful-session-count":3,"total-failure-session-count":0}}]}
            """
        let imported = try RuaExecutable.run(["import", "--db", store.argument, try temp.write("nul.json", report)])
        #expect(imported.status == 0, "\(imported.stdout)\(imported.stderr)")
        let listed = try RuaExecutable.run(["reports", "--db", store.argument, "--format", "csv"]).stdout
        #expect(listed.contains("Evil\u{FFFD}Corp,tls@evil.test"), "\(listed)")
    }
}

/// What `RuaExecutable.run` returns.
typealias Run = (status: Int32, stdout: String, stderr: String)

/// Importers on several hosts write to one PostgreSQL database at once: unique indexes and transactions,
/// not a lock, keep each report stored once and counted once.
@Suite(PostgresTestServer.enabled) struct PostgresConcurrencyTests {
    /// `count` distinct reports as files in `folder`.
    static func reports(_ temp: TemporaryDirectory, _ folder: String, count: Int, first: Int) throws -> String {
        for index in first..<(first + count) {
            let report = SyntheticReport(
                org: "Reporter \(index % 7)", reportID: "r-\(index)", domain: "d\(index % 13).example",
                begin: 1_764_547_200 + Int64(index % 5) * 86_400,
                rows: (0..<20).map {
                    .init("192.0.2.\(($0 + index) % 250)", $0 + 1, dkim: $0 % 4 == 0 ? "fail" : "pass")
                })
            try temp.write("\(folder)/\(index).xml.gz", Compression.gzip(report.xml))
        }
        return temp.path(folder)
    }

    @Test func fourImportersAtOnceStoreEveryReportOnceWithExactTotals() async throws {
        let temp = try TemporaryDirectory()
        let store = try TestDatabase(.postgresql, in: temp)
        let shared = try Self.reports(temp, "shared", count: 200, first: 0)
        // Each importer has reports of its own and the shared ones, in a different order.
        var arguments: [[String]] = []
        for importer in 0..<4 {
            let own = try Self.reports(temp, "own-\(importer)", count: 50, first: 1_000 + importer * 50)
            let paths = importer % 2 == 0 ? [shared, own] : [own, shared]
            arguments.append(["import", "--json", "--db", store.argument] + paths)
        }
        let results = try await withThrowingTaskGroup(of: Run.self) { group in
            for command in arguments { group.addTask { try RuaExecutable.run(command) } }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(results.allSatisfy { $0.status == 0 }, "\(results.map(\.stderr))")
        let stored = results.map {
            $0.stdout.split(separator: "\n").filter { $0.contains("\"outcome\":\"stored\"") }.count
        }
        #expect(stored.reduce(0, +) == 400)
        let database = try store.open()
        let counts = try database.tableCounts()
        #expect(counts["report"] == 400)
        #expect(counts["input"] == 400)
        #expect(counts["record"] == 400 * 20)
        // The rollups add up to the records: nothing counted twice, nothing lost.
        let summary = try database.summary(ReportFilter())
        #expect(summary.reduce(0) { $0 + $1.messages } == 400 * (1...20).reduce(0, +))
        let sources = try database.sourceTotals(ReportFilter())
        #expect(sources.reduce(0.0) { $0 + $1.totals.messages } == Double(400 * (1...20).reduce(0, +)))
    }

    /// Two importers taking the same files in opposite orders meet in the middle, each holding reports the
    /// other then needs: PostgreSQL breaks the deadlock by failing one's statement, and that importer
    /// commits what it has and writes the input again, so both finish with everything stored once.
    @Test func importersMeetingInOppositeOrdersBothFinishWithEveryReportOnce() async throws {
        let temp = try TemporaryDirectory()
        let store = try TestDatabase(.postgresql, in: temp)
        _ = try store.open()
        let folder = try Self.reports(temp, "both", count: 300, first: 0)
        let files = (0..<300).map { "\(folder)/\($0).xml.gz" }
        let orders = [files, files.reversed()]
        let results = try await withThrowingTaskGroup(of: Run.self) { group in
            for order in orders {
                group.addTask { try RuaExecutable.run(["import", "--json", "--db", store.argument] + order) }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(results.map(\.status) == [0, 0], "\(results.map(\.stderr))")
        let stored = results.map {
            $0.stdout.split(separator: "\n").filter { $0.contains("\"outcome\":\"stored\"") }.count
        }
        #expect(stored.reduce(0, +) == 300)
        let counts = try store.open().tableCounts()
        #expect(counts["report"] == 300)
        #expect(counts["record"] == 300 * 20)
    }

    @Test func theSameReportInDifferentFilesAtOnceIsStoredOnceAndItsVariantIsNotCounted() async throws {
        let temp = try TemporaryDirectory()
        let store = try TestDatabase(.postgresql, in: temp)
        _ = try store.open()
        let report = SyntheticReport(
            org: "Twice", reportID: "same-1", begin: 1_764_547_200, rows: [.init("192.0.2.1", 10)])
        var variant = report
        variant.rows = [.init("192.0.2.1", 11)]
        // The same report as plain XML, gzip and zlib (three inputs, one report), and a variant.
        let files = [
            try temp.write("a.xml", report.xml), try temp.write("b.xml.gz", Compression.gzip(report.xml)),
            try temp.write("c.xml.z", Compression.zlib(Array(report.xml.utf8))), try temp.write("d.xml", variant.xml),
        ]
        for round in 0..<5 {
            let round = try TestDatabase(.postgresql, in: temp, file: "round-\(round)")
            let results = try await withThrowingTaskGroup(of: Run.self) { group in
                for file in files {
                    group.addTask { try RuaExecutable.run(["import", "--json", "--db", round.argument, file]) }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(results.allSatisfy { $0.status == 0 }, "\(results.map(\.stderr))")
            let database = try round.open()
            let reports = try database.reports(ReportFilter())
            #expect(reports.count == 2, "one report and its variant: \(reports)")
            #expect(reports.filter(\.counted).count == 1, "one of them counted")
            #expect(try database.summary(ReportFilter()).first?.messages == reports.first(where: \.counted)?.messages)
        }
    }
}

/// `rua migrate-db`: a SQLite database copied into PostgreSQL, whole, resumably.
@Suite(PostgresTestServer.enabled) struct MigrateDBTests {
    @Test func theCopyHoldsEverythingAndReadsTheSameAsTheFile() throws {
        let temp = try TemporaryDirectory()
        let file = temp.path("rua.sqlite")
        let pinned = ["RUA_NOW": "2025-12-02T06:00:00Z"]
        _ = try RuaExecutable.run(["import", "--quiet", "--db", file] + SampleReports.folders, environment: pinned)
        _ = try RuaExecutable.run(["config", "set", "retention.originals", "800d", "--db", file])
        let target = try TestDatabase(.postgresql, in: temp)
        let copied = try RuaExecutable.run(["migrate-db", "--from", file, "--to", target.argument])
        #expect(copied.status == 0, "\(copied.stderr)")
        #expect(copied.stdout.contains("every table copied"))
        #expect(!copied.stdout.contains("differs"))
        let now = ["RUA_NOW": "2025-12-03T10:00:00Z", "RUA_OFFLINE": "1"]
        for command in [
            ["summary", "--format", "json"], ["digest", "--format", "json"], ["export", "records"],
            ["quarantine", "list", "--format", "json"], ["reports", "--format", "csv"], ["tls"], ["config"],
        ] {
            let before = try RuaExecutable.run(command + ["--db", file], environment: now).stdout
            let after = try RuaExecutable.run(command + ["--db", target.argument], environment: now).stdout
            #expect(before == after, "\(command)")
        }
        let original = try #require(try ReportDatabase(path: file).quarantined().first)
        #expect(
            try target.open().originalBytes(sha256: original.sha256)
                == ReportDatabase(path: file).originalBytes(sha256: original.sha256))
        // Importing into the copy goes on where the file left off: what is there is a duplicate, new
        // reports get new ids.
        let again = try RuaExecutable.run(["import", "--db", target.argument, "SampleReports/dmarc"])
        #expect(again.status == 0)
        #expect(again.stdout.contains("0 reports stored"))
        let new = SyntheticReport(
            org: "New", reportID: "after-copy", begin: 1_764_720_000, rows: [.init("192.0.2.9", 3)])
        let stored = try RuaExecutable.run(["import", "--db", target.argument, try temp.write("new.xml", new.xml)])
        #expect(stored.stdout.contains("1 report stored"), "\(stored.stdout)\(stored.stderr)")
        // A database with reports of its own, or a copy of another file, is not copied into.
        let other = temp.path("other.sqlite")
        _ = try RuaExecutable.run(["import", "--quiet", "--db", other, "SampleReports/tlsrpt"])
        let refused = try RuaExecutable.run(["migrate-db", "--from", other, "--to", target.argument])
        #expect(refused.status == 74)
        #expect(refused.stderr.contains("holds a copy of"))
        let own = try TestDatabase(.postgresql, in: temp, file: "own")
        _ = try RuaExecutable.run(["import", "--quiet", "--db", own.argument, "SampleReports/tlsrpt"])
        let notEmpty = try RuaExecutable.run(["migrate-db", "--from", file, "--to", own.argument])
        #expect(notEmpty.status == 74)
        #expect(notEmpty.stderr.contains("already holds reports of its own"))
        #expect(
            try RuaExecutable.run(["migrate-db", "--from", temp.path("none.sqlite"), "--to", own.argument]).status == 66
        )
    }

    @Test func aCopyKilledMidwayGoesOnWhenRunAgainAndEndsExact() throws {
        let temp = try TemporaryDirectory()
        for index in 0..<60 {
            let report = SyntheticReport(
                org: "Big", reportID: "big-\(index)", begin: 1_764_547_200 + Int64(index) * 86_400,
                rows: (0..<2_000).map { .init("10.\(index).\($0 / 250).\($0 % 250)", $0 % 9 + 1) })
            try temp.write("big/\(index).xml.gz", Compression.gzip(report.xml))
        }
        let file = temp.path("rua.sqlite")
        _ = try RuaExecutable.run(["import", "--quiet", "--db", file, temp.path("big")])
        let target = try TestDatabase(.postgresql, in: temp)
        let server = try #require(PostgresTestServer.current)
        // Killed once some batches of records are in.
        let process = try Spawn.start(
            RuaExecutable.url.path, ["migrate-db", "--quiet", "--from", file, "--to", target.argument],
            log: temp.path("migrate.log"))
        var reached: Int?
        for _ in 0..<600 where reached == nil {
            usleep(20_000)
            reached = try? server.run(
                "SELECT value FROM setting WHERE key = 'migrate-db.progress.record'", on: target.argument
            ).flatMap { Int($0) }
        }
        kill(process, SIGKILL)
        var status: Int32 = 0
        waitpid(process, &status, 0)
        let partial = try server.run("SELECT COUNT(*) FROM record", on: target.argument).flatMap { Int($0) } ?? 0
        #expect(reached != nil && partial < 120_000, "killed midway: \(partial) records copied")
        let resumed = try RuaExecutable.run(["migrate-db", "--from", file, "--to", target.argument])
        #expect(resumed.status == 0, "\(resumed.stderr)")
        #expect(try target.open().tableCounts() == ReportDatabase(path: file).tableCounts())
        let summary = ["summary", "--format", "json"]
        #expect(
            try RuaExecutable.run(summary + ["--db", file]).stdout.replacingOccurrences(
                of: #""generated_at":"[^"]*""#, with: "", options: .regularExpression)
                == RuaExecutable.run(summary + ["--db", target.argument]).stdout.replacingOccurrences(
                    of: #""generated_at":"[^"]*""#, with: "", options: .regularExpression))
        // The records are in the months their reports end, and the months' ids go on after the copied
        // ones (January's copied ids pass its first block).
        #expect(
            try server.run("SELECT string_agg(DISTINCT tableoid::regclass::text, ',') FROM record", on: target.argument)
                == "record_2025_12,record_2026_01")
        let january = SyntheticReport(
            org: "Big", reportID: "after-copy", begin: 1_767_830_400, rows: (0..<3).map { .init("192.0.2.\($0)", 1) })
        let stored = try RuaExecutable.run(
            ["import", "--db", target.argument, try temp.write("after.xml", january.xml)])
        #expect(stored.stdout.contains("1 report stored"), "\(stored.stdout)\(stored.stderr)")
        // A prune of the copy deletes what the file's prune deletes, by months.
        let prune = ["prune", "--older-than", "1d", "--records"]
        let now = ["RUA_NOW": "2026-01-02"]
        let fromFile = try RuaExecutable.run(prune + ["--db", file], environment: now).stdout
        #expect(fromFile.contains("records of 31 reports deleted (62,000 records)"), "\(fromFile)")
        let fromCopy = try RuaExecutable.run(prune + ["--db", target.argument], environment: now).stdout
        // (The file's prune says too how much of it is free.)
        #expect(fromCopy.split(separator: "\n").first == fromFile.split(separator: "\n").first, "\(fromCopy)")
        #expect(try server.run("SELECT to_regclass('record_2025_12') IS NULL", on: target.argument) == "t")
    }
}

/// PostgreSQL keeps records in a partition per month of their report's end: `rua prune` drops the months
/// that are over, and the result is what SQLite's row-by-row prune gives.
@Suite(PostgresTestServer.enabled) struct PostgresPartitionTests {
    static func exists(_ table: String, in store: TestDatabase) throws -> Bool {
        try PostgresTestServer.current?.run("SELECT to_regclass('\(table)') IS NOT NULL", on: store.argument) == "t"
    }

    static func recordRows(_ store: TestDatabase) throws -> Int {
        try RuaExecutable.run(["export", "records", "--format", "ndjson"] + store.arguments).stdout
            .split(separator: "\n").count
    }

    /// A report of `count` records whose metadata follows them (allowed by the parser): its records are
    /// placed by its file name's month before it is known to end in another.
    static func metadataLast(records count: Int, end: Int64) -> String {
        let record = """
              <record><row><source_ip>192.0.2.9</source_ip><count>1</count>
                <policy_evaluated><disposition>none</disposition><dkim>pass</dkim><spf>pass</spf></policy_evaluated></row>
                <identifiers><header_from>example.com</header_from></identifiers>
                <auth_results><spf><domain>example.com</domain><result>pass</result></spf></auth_results></record>

            """
        return "<?xml version=\"1.0\"?>\n<feedback>\n" + String(repeating: record, count: count) + """
              <report_metadata><org_name>Late</org_name><email>dmarc@late.example</email><report_id>late-1</report_id>
                <date_range><begin>\(end - 86_399)</begin><end>\(end)</end></date_range></report_metadata>
              <policy_published><domain>example.com</domain><p>none</p></policy_published>
            </feedback>

            """
    }

    @Test func pruneDropsTheMonthsThatAreOverButNotOneHoldingALaterReport() throws {
        let temp = try TemporaryDirectory()
        let store = try TestDatabase(.postgresql, in: temp)
        let september = SyntheticReport(
            org: "A", reportID: "sep", begin: 1_758_326_400,
            rows: [.init("192.0.2.1", 4), .init("192.0.2.2", 1), .init("192.0.2.3", 2)])
        let october = SyntheticReport(
            org: "B", reportID: "oct", begin: 1_760_054_400,
            rows: [.init("192.0.2.4", 3), .init("192.0.2.5", 1, dkim: "fail")])
        let december = SyntheticReport(org: "D", reportID: "dec", begin: 1_764_979_200, rows: [.init("192.0.2.6", 9)])
        try temp.write("in/sep.xml", september.xml)
        try temp.write("in/oct.xml", october.xml)
        try temp.write("in/dec.xml", december.xml)
        // Named for September, ending on 5 December: its 300 records stream in before the date is read.
        try temp.write(
            "in/late.example!example.com!1758326400!1758412799.xml", Self.metadataLast(records: 300, end: 1_764_979_199)
        )
        let imported = try RuaExecutable.run(
            ["import", temp.path("in")] + store.arguments, environment: ["RUA_NOW": "2025-12-07"])
        #expect(imported.status == 0, "\(imported.stdout)\(imported.stderr)")
        for table in ["record_2025_09", "record_2025_10", "record_2025_12", "dkim_result_extra_2025_10"] {
            #expect(try Self.exists(table, in: store), "\(table)")
        }
        #expect(try Self.recordRows(store) == 306)

        // Before 8 November: October goes whole; September holds the late report, so its own report's
        // records go one by one.
        let first = try RuaExecutable.run(
            ["prune", "--older-than", "30d", "--records"] + store.arguments, environment: ["RUA_NOW": "2025-12-08"])
        #expect(first.status == 0, "\(first.stderr)")
        #expect(first.stdout.contains("records of 2 reports deleted (5 records)"), "\(first.stdout)")
        for table in ["record_2025_10", "dkim_result_extra_2025_10", "override_reason_2025_10", "record_id_2025_10"] {
            #expect(try !Self.exists(table, in: store), "\(table)")
        }
        #expect(try Self.exists("record_2025_09", in: store))
        #expect(try Self.recordRows(store) == 301)

        // Before 29 December: September goes whole now; December is not over, its report goes by rows.
        let second = try RuaExecutable.run(
            ["prune", "--older-than", "1d", "--records"] + store.arguments, environment: ["RUA_NOW": "2025-12-30"])
        #expect(second.stdout.contains("records of 2 reports deleted (301 records)"), "\(second.stdout)")
        #expect(try !Self.exists("record_2025_09", in: store))
        #expect(try Self.exists("record_2025_12", in: store))
        #expect(try Self.recordRows(store) == 0)
        let listed = try RuaExecutable.run(["reports", "--format", "ndjson"] + store.arguments).stdout
        #expect(listed.split(separator: "\n").filter { $0.contains("\"records_pruned\":true") }.count == 4)

        // A report of a dropped month arriving late gets the month back.
        let lateOctober = SyntheticReport(
            org: "E", reportID: "oct-late", begin: 1_760_918_400, rows: [.init("192.0.2.7", 5), .init("192.0.2.8", 6)])
        let again = try RuaExecutable.run(
            ["import", try temp.write("oct-late.xml", lateOctober.xml)] + store.arguments,
            environment: ["RUA_NOW": "2025-12-30"])
        #expect(again.status == 0, "\(again.stdout)\(again.stderr)")
        #expect(try Self.exists("record_2025_10", in: store))
        #expect(try Self.recordRows(store) == 2)
        #expect(try store.open().orphanCounts() == 0)
    }

    /// A prune stopped after detaching some of a month's tables: the next prune attaches them again when
    /// the month must stay, and finishes dropping it when it may go.
    @Test func aPruneStoppedHalfwayIsMendedByTheNext() throws {
        let temp = try TemporaryDirectory()
        let store = try TestDatabase(.postgresql, in: temp)
        let server = try #require(PostgresTestServer.current)
        let october = SyntheticReport(
            org: "B", reportID: "oct", begin: 1_760_054_400,
            rows: [.init("192.0.2.4", 3), .init("192.0.2.5", 1, dkim: "fail")])
        let imported = try RuaExecutable.run(
            ["import", try temp.write("oct.xml", october.xml)] + store.arguments, environment: ["RUA_NOW": "2025-12-07"]
        )
        #expect(imported.status == 0, "\(imported.stderr)")
        func detach() throws {
            try server.run("ALTER TABLE record DETACH PARTITION record_2025_10", on: store.argument)
            try server.run(
                "ALTER TABLE dkim_result_extra DETACH PARTITION dkim_result_extra_2025_10", on: store.argument)
        }
        try detach()
        #expect(try Self.recordRows(store) == 0)
        // October is not over before this cutoff: its tables go back, its records are read again.
        let early = try RuaExecutable.run(
            ["prune", "--older-than", "30d", "--records"] + store.arguments, environment: ["RUA_NOW": "2025-11-05"])
        #expect(early.stdout.contains("records of 0 reports deleted (0 records)"), "\(early.stdout)\(early.stderr)")
        #expect(try Self.recordRows(store) == 2)
        // Stopped again; now October may go, and goes whole.
        try detach()
        let late = try RuaExecutable.run(
            ["prune", "--older-than", "30d", "--records"] + store.arguments, environment: ["RUA_NOW": "2025-12-08"])
        #expect(late.stdout.contains("records of 1 reports deleted (2 records)"), "\(late.stdout)\(late.stderr)")
        for table in ["record_2025_10", "dkim_result_extra_2025_10", "spf_result_extra_2025_10", "record_id_2025_10"] {
            #expect(try !Self.exists(table, in: store), "\(table)")
        }
        let listed = try RuaExecutable.run(["reports", "--format", "ndjson"] + store.arguments).stdout
        #expect(listed.contains("\"records_pruned\":true"))
    }
}
