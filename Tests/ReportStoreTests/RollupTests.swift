import DomainAlignment
import GRDB
import ReportModel
import ReportTestSupport
import Testing

@testable import ReportStore

/// Records that exercise every path of the verdict: reported pass/fail, missing or non-standard
/// verdicts filled from the auth results, and verdicts the auth results contradict.
private func mixedRecords() -> [ReportRecord] {
    func make(
        _ ip: String, _ count: Int64, dkim: Reported<DMARCResult>?, spf: Reported<DMARCResult>?,
        signed: String?, mailFrom: String?, disposition: Disposition = .none
    ) -> ReportRecord {
        var value = ReportRecord()
        value.sourceIP = ip
        value.count = count
        value.dkim = dkim
        value.spf = spf
        value.disposition = .known(disposition)
        value.headerFrom = "example.com"
        value.dkimResults = signed.map { [DKIMAuthResult(domain: $0, selector: "s", result: .known(.pass))] } ?? []
        value.spfResults =
            mailFrom.map { [SPFAuthResult(domain: $0, scope: .known(.mfrom), result: .known(.pass))] }
            ?? []
        return value
    }
    return [
        make("192.0.2.1", 10, dkim: .known(.pass), spf: .known(.pass), signed: "example.com", mailFrom: "example.com"),
        make("192.0.2.2", 7, dkim: nil, spf: nil, signed: "mail.example.com", mailFrom: nil),
        make("192.0.2.3", 5, dkim: .unknown("softpass"), spf: .known(.fail), signed: nil, mailFrom: "esp.example.net"),
        make("192.0.2.4", 3, dkim: .known(.pass), spf: .known(.fail), signed: nil, mailFrom: nil),
        make(
            "192.0.2.5", 2, dkim: .known(.fail), spf: .known(.fail), signed: "example.com", mailFrom: nil,
            disposition: .quarantine),
        make("192.0.2.5", 1, dkim: .known(.fail), spf: .known(.fail), signed: nil, mailFrom: nil, disposition: .reject),
    ]
}

@Suite struct RollupTests {
    @Test func summaryTotalsEqualTheVerdictsOfEveryRecord() throws {
        let temp = try TemporaryDirectory()
        let database = try temp.makeDatabase()
        let records = mixedRecords()
        _ = try storeReport(database, input: "mixed.xml", records: records)
        let check = AlignmentCheck()
        let verdicts = records.map {
            RecordVerdict(
                reportedDKIM: $0.dkim, reportedSPF: $0.spf, facts: check.facts(for: $0), adkim: nil, aspf: nil)
        }
        func messages(_ keep: (RecordVerdict) -> Bool) -> Int64 {
            zip(records, verdicts).filter { keep($0.1) }.reduce(0) { $0 + $1.0.count }
        }
        let summary = try #require(try database.summary(ReportFilter()).first)
        #expect(summary.messages == 28)
        #expect(summary.dmarcPass == messages(\.dmarcPass))
        #expect(summary.dmarcPass == 20)  // 10 + 7 (filled from d=mail.example.com) + 3 (reported, unsupported)
        #expect(summary.dkimAligned == messages(\.dkimAligned))
        #expect(summary.spfAligned == messages(\.spfAligned))
        #expect(summary.dispositionQuarantine == 2 && summary.dispositionReject == 1)
        #expect(summary.topFailingSources.map(\.sourceIP) == ["192.0.2.3", "192.0.2.5"])
        #expect(summary.topFailingSources.map(\.messages) == [5, 3])

        let rollup = try database.queue.read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM report_rollup")
        }
        #expect(rollup?["unsupported_pass"] == messages { $0.disagreement == .unsupportedPass })
        #expect(rollup?["contradicting_fail"] == messages { $0.disagreement == .contradictingFail })
        #expect(rollup?["computed_pass"] == messages(\.computedDMARCPass))
        #expect(rollup?["disagreeing_records"] == 2)
    }

    @Test func rollupsFollowThePolicysAlignmentModes() throws {
        let records = mixedRecords().map { record in
            var record = record
            record.dkim = nil
            record.spf = nil
            // Signed and sent by a subdomain: aligned in relaxed mode only.
            record.headerFrom = "news.example.com"
            return record
        }
        let check = AlignmentCheck()
        for adkim in [AlignmentMode.relaxed, .strict] {
            for aspf in [AlignmentMode.relaxed, .strict] {
                let temp = try TemporaryDirectory()
                let database = try temp.makeDatabase()
                _ = try storeReport(database, input: "modes.xml", records: records, adkim: adkim, aspf: aspf)
                let verdicts = records.map {
                    RecordVerdict(
                        reportedDKIM: $0.dkim, reportedSPF: $0.spf, facts: check.facts(for: $0), adkim: adkim,
                        aspf: aspf)
                }
                func messages(_ keep: (RecordVerdict) -> Bool) -> Int64 {
                    zip(records, verdicts).filter { keep($0.1) }.reduce(0) { $0 + $1.0.count }
                }
                let (report, sources) = try database.queue.read { db in
                    (
                        try Row.fetchOne(db, sql: "SELECT * FROM report_rollup"),
                        try Row.fetchOne(
                            db, sql: "SELECT SUM(dmarc_pass) AS pass, SUM(dkim_aligned) AS dkim FROM source_rollup")
                    )
                }
                #expect(report?["dmarc_pass"] == messages(\.dmarcPass), "adkim=\(adkim) aspf=\(aspf)")
                #expect(report?["dkim_aligned"] == messages(\.dkimAligned))
                #expect(report?["spf_aligned"] == messages(\.spfAligned))
                #expect(sources?["pass"] == messages(\.dmarcPass))
                #expect(sources?["dkim"] == messages(\.dkimAligned))
            }
        }
        // The modes matter for these records: strict DKIM loses the subdomain signatures.
        #expect(check.facts(for: records[0]).dkimAligned(.relaxed))
        #expect(!check.facts(for: records[0]).dkimAligned(.strict))
    }

    @Test func sourceCountsSpilledToATemporaryFileAddUpToTheSameRollups() throws {
        let temp = try TemporaryDirectory()
        let database = try temp.makeDatabase()
        // 150 sources, some more than once: more than one statement's worth of rows (and spilled runs);
        // and IPv6 sources alike in their first 32 characters, each under two header_from domains.
        var longSources = (0..<40).map { index in
            record("2001:db8:1234:5678:9abc:def0:1234:\(index % 10)", Int64(index + 1))
        }
        for index in longSources.indices where index >= 20 { longSources[index].headerFrom = "Mail.Example.com" }
        let records =
            (0..<400).map { record("192.0.2.\($0 % 150)", Int64($0 + 1), dkim: $0 % 3 == 0 ? .fail : .pass) }
            + longSources + mixedRecords()
        _ = try storeReport(database, input: "many-sources.xml", records: records, adkim: .strict)
        func rollups(_ db: Database) throws -> [[Row]] {
            [
                try Row.fetchAll(db, sql: "SELECT * FROM report_rollup"),
                try Row.fetchAll(db, sql: "SELECT * FROM source_rollup ORDER BY source_ip, header_from"),
            ]
        }
        let inMemory = try database.queue.read(rollups)
        let spilled = try database.queue.write { db in
            try db.execute(sql: "DELETE FROM report_rollup; DELETE FROM source_rollup")
            let accumulator = RollupAccumulator(spillThreshold: 4)
            var context: RecordContext?
            try ReportDatabase.forEachRecord(SQLiteConnection(db), ReportFilter()) { recordContext, stored in
                context = recordContext
                try accumulator.add(stored.record, facts: stored.facts)
            }
            let report = try #require(context)
            try accumulator.write(
                report: report.reportRowID, adkim: report.policy.adkim?.word, aspf: report.policy.aspf?.word,
                begin: report.begin, policyDomain: report.policyDomain, try RollupStatements(SQLiteConnection(db)))
            return try rollups(db)
        }
        #expect(inMemory[1].count == 150 + 20)
        #expect(inMemory[1].count > RollupStatements.batchSize)
        #expect(inMemory[1].reduce(0) { $0 + ($1["messages"] as Int64) } == records.reduce(0) { $0 + $1.count })
        // 192.0.2.7: records 7, 157 and 307 (counts 8, 158, 308).
        let seventh = inMemory[1].first { $0["source_ip"] as String == "192.0.2.7" }
        #expect(seventh?["messages"] == 474 as Int64)
        #expect(spilled == inMemory)
    }

    @Test func variantsAndDuplicatesAreNotRolledUp() throws {
        let temp = try TemporaryDirectory()
        let database = try temp.makeDatabase()
        _ = try storeReport(database, input: "a.xml", records: [record("192.0.2.1", 3)], payload: [1])
        _ = try storeReport(database, input: "b.xml", records: [record("192.0.2.1", 5)], payload: [2])
        _ = try storeReport(database, input: "c.xml", records: [record("192.0.2.1", 3)], payload: [1])
        let (reports, sources) = try database.queue.read { db in
            (
                try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM report_rollup"),
                try Int.fetchOne(db, sql: "SELECT SUM(messages) FROM source_rollup")
            )
        }
        #expect(reports == 1)
        #expect(sources == 3)
    }

    @Test func aDatabaseFromBeforeTheRollupsIsBackfilledOnUpgrade() throws {
        let temp = try TemporaryDirectory()
        let database = try temp.makeDatabase()
        _ = try storeReport(database, input: "mixed.xml", records: mixedRecords())
        _ = try storeReport(database, input: "b.xml", reportID: "r-2", records: [record("192.0.2.9", 4)], payload: [2])
        let before = try database.summary(ReportFilter())
        let rollupsBefore = try database.queue.read { db in try Row.fetchAll(db, sql: "SELECT * FROM report_rollup") }
        // Take the file back to the schema of migration 003.
        try database.queue.writeWithoutTransaction { db in
            try db.execute(
                sql: """
                    DROP TABLE report_rollup; DROP TABLE source_rollup; DROP INDEX report_by_reporter;
                    DROP INDEX input_by_time; ALTER TABLE record DROP COLUMN alignment; DROP TABLE backfill;
                    DELETE FROM grdb_migrations WHERE identifier = '004-alignment-and-rollups';
                    """)
        }
        database.close()
        let upgraded = try temp.makeDatabase()
        #expect(try upgraded.appliedMigrations() == allMigrations)
        #expect(try upgraded.summary(ReportFilter()) == before)
        let rollupsAfter = try upgraded.queue.read { db in try Row.fetchAll(db, sql: "SELECT * FROM report_rollup") }
        #expect(rollupsAfter == rollupsBefore)
        let unaligned = try upgraded.queue.read { db in
            try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM record WHERE alignment IS NULL")
        }
        #expect(unaligned == 0)
    }

    /// The step a migration leaves to application code runs after migrating, and runs again, filling only
    /// what is missing, when it was interrupted.
    @Test func anInterruptedBackfillCompletesWhenTheDatabaseIsNextOpened() throws {
        let temp = try TemporaryDirectory()
        let database = try temp.makeDatabase()
        _ = try storeReport(database, input: "mixed.xml", records: mixedRecords())
        _ = try storeReport(database, input: "b.xml", reportID: "r-2", records: [record("192.0.2.9", 4)], payload: [2])
        let before = try database.queue.read { db in
            (
                try Row.fetchAll(db, sql: "SELECT * FROM report_rollup ORDER BY report_id"),
                try Row.fetchAll(db, sql: "SELECT * FROM source_rollup"),
                try Row.fetchAll(db, sql: "SELECT id, alignment FROM record ORDER BY id")
            )
        }
        // As if the step had been recorded and then stopped half-way: one report rolled up, one not.
        try database.queue.writeWithoutTransaction { db in
            let second = try Int64.fetchOne(db, sql: "SELECT MAX(report_id) FROM report_rollup") ?? 0
            try db.execute(
                sql: """
                    INSERT INTO backfill (step) VALUES ('alignment-and-rollups');
                    DELETE FROM report_rollup WHERE report_id = ?;
                    DELETE FROM source_rollup WHERE source_ip = '192.0.2.9';
                    UPDATE record SET alignment = NULL;
                    """, arguments: [second])
        }
        database.close()
        let reopened = try temp.makeDatabase()
        let after = try reopened.queue.read { db in
            (
                try Row.fetchAll(db, sql: "SELECT * FROM report_rollup ORDER BY report_id"),
                try Row.fetchAll(db, sql: "SELECT * FROM source_rollup"),
                try Row.fetchAll(db, sql: "SELECT id, alignment FROM record ORDER BY id")
            )
        }
        #expect(after.0 == before.0)
        #expect(after.1 == before.1)
        #expect(after.2 == before.2)
        #expect(try reopened.queue.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM backfill") } == 0)
    }

    @Test func recordsReadBackAsTheyWereStored() throws {
        let temp = try TemporaryDirectory()
        let database = try temp.makeDatabase()
        let records = mixedRecords()
        _ = try storeReport(database, input: "mixed.xml", records: records)
        var read: [ReportRecord] = []
        var contexts: Set<RecordContext> = []
        try database.forEachRecord(ReportFilter()) { context, stored in
            contexts.insert(context)
            read.append(stored.record)
            #expect(stored.facts == AlignmentCheck().facts(for: stored.record))
        }
        #expect(read == records)
        #expect(contexts.map(\.policyDomain) == ["example.com"])
    }
}

@Suite struct SnapshotTests {
    @Test func queriesInASnapshotSeeOneStateWhileAnotherConnectionWrites() throws {
        let temp = try TemporaryDirectory()
        let reader = try temp.makeDatabase()
        _ = try storeReport(reader, input: "a.xml", records: [record("192.0.2.1", 3)])
        let writer = try temp.makeDatabase()
        try reader.snapshot {
            let before = try reader.summary(ReportFilter())
            _ = try storeReport(
                writer, input: "b.xml", reportID: "r-2", records: [record("192.0.2.2", 5)], payload: [2])
            #expect(try reader.summary(ReportFilter()) == before)
            #expect(try reader.reports(ReportFilter()).count == 1)
        }
        #expect(try reader.summary(ReportFilter()).first?.messages == 8)
    }
}
