import GRDB
import ReportModel
import ReportTestSupport
import Testing

@testable import ReportStore

/// Records whose auth results exercise where they are kept: a record's first DKIM and first SPF result
/// in its row, further ones in the extra tables, and records without any, or with an empty one.
private func recordsWithSeveralResults() -> [ReportRecord] {
    var several = record("192.0.2.1", 5)
    several.dkimResults = [
        DKIMAuthResult(domain: "example.com", selector: "s1", result: .known(.pass), humanResult: "good"),
        DKIMAuthResult(domain: "esp.example.net", selector: "k2", result: .known(.pass)),
        DKIMAuthResult(domain: "other.example", selector: "x", result: .unknown("weird")),
    ]
    several.spfResults = [
        SPFAuthResult(domain: "bounce.example.com", scope: .known(.mfrom), result: .known(.pass)),
        SPFAuthResult(domain: "helo.example.com", scope: .known(.helo), result: .known(.pass), humanResult: "h"),
    ]
    var spfOnly = record("192.0.2.2", 2)
    spfOnly.dkimResults = []
    spfOnly.spfResults = [SPFAuthResult(domain: "spf.example.org", result: .known(.pass))]
    var emptyResult = record("192.0.2.3", 1)
    emptyResult.dkimResults = [DKIMAuthResult()]
    emptyResult.spfResults = []
    return [several, spfOnly, emptyResult]
}

@Suite struct AuthResultLayoutTests {
    @Test func everyResultReadsBackInOrderAndTheViewsListThemAll() throws {
        let temp = try TemporaryDirectory()
        let database = try temp.makeDatabase()
        let records = recordsWithSeveralResults()
        _ = try storeReport(database, input: "several.xml", records: records)
        var read: [ReportRecord] = []
        try database.forEachRecord(ReportFilter()) { _, stored in read.append(stored.record) }
        #expect(read == records)
        let (dkim, spf, extra) = try database.queue.read { db in
            (
                try String.fetchAll(db, sql: "SELECT COALESCE(domain, '-') FROM dkim_result ORDER BY record_id, seq"),
                try String.fetchAll(db, sql: "SELECT domain FROM spf_result ORDER BY record_id, seq"),
                try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM dkim_result_extra")
            )
        }
        #expect(dkim == ["example.com", "esp.example.net", "other.example", "-"])
        #expect(spf == ["bounce.example.com", "helo.example.com", "spf.example.org"])
        // Only the second and third DKIM results of the first record needed a row of their own.
        #expect(extra == 2)
        let passing = try database.passingAuthDomains(ReportFilter(), addresses: ["192.0.2.1", "192.0.2.2"])
        #expect(passing["192.0.2.1"]?.dkim == ["esp.example.net", "example.com"])
        #expect(passing["192.0.2.1"]?.spf == ["bounce.example.com", "helo.example.com"])
        #expect(passing["192.0.2.2"]?.dkim == [])
        #expect(passing["192.0.2.2"]?.spf == ["spf.example.org"])
    }

    @Test func recordsStoredBeforeMigration006ReadTheSameAfterIt() throws {
        let temp = try TemporaryDirectory()
        let database = try temp.makeDatabase()
        let records = recordsWithSeveralResults()
        _ = try storeReport(database, input: "several.xml", records: records)
        // Take the file back to the layout of migration 005: every result in the child tables.
        try database.queue.writeWithoutTransaction { db in
            try db.execute(
                sql: """
                    DROP VIEW dkim_result; DROP VIEW spf_result;
                    ALTER TABLE dkim_result_extra RENAME TO dkim_result;
                    ALTER TABLE spf_result_extra RENAME TO spf_result;
                    INSERT INTO dkim_result (id, domain, selector, result, human_result)
                        SELECT id << 16, dkim1_domain, dkim1_selector, dkim1_result, dkim1_human_result
                        FROM record WHERE inline_auth & 1;
                    INSERT INTO spf_result (id, domain, scope, result, human_result)
                        SELECT id << 16, spf1_domain, spf1_scope, spf1_result, spf1_human_result
                        FROM record WHERE inline_auth & 2;
                    ALTER TABLE record DROP COLUMN inline_auth;
                    ALTER TABLE record DROP COLUMN dkim1_domain; ALTER TABLE record DROP COLUMN dkim1_selector;
                    ALTER TABLE record DROP COLUMN dkim1_result; ALTER TABLE record DROP COLUMN dkim1_human_result;
                    ALTER TABLE record DROP COLUMN spf1_domain; ALTER TABLE record DROP COLUMN spf1_scope;
                    ALTER TABLE record DROP COLUMN spf1_result; ALTER TABLE record DROP COLUMN spf1_human_result;
                    DELETE FROM grdb_migrations WHERE identifier = '006-first-auth-results-in-record';
                    """)
        }
        database.close()
        let upgraded = try temp.makeDatabase()
        #expect(try upgraded.appliedMigrations() == allMigrations)
        var read: [ReportRecord] = []
        try upgraded.forEachRecord(ReportFilter()) { _, stored in read.append(stored.record) }
        #expect(read == records)
        let dkim = try upgraded.queue.read { db in
            try String.fetchAll(db, sql: "SELECT COALESCE(domain, '-') FROM dkim_result ORDER BY record_id, seq")
        }
        #expect(dkim == ["example.com", "esp.example.net", "other.example", "-"])
        let passing = try upgraded.passingAuthDomains(ReportFilter(), addresses: ["192.0.2.1"])
        #expect(passing["192.0.2.1"]?.dkim == ["esp.example.net", "example.com"])
        // New records go in the new layout beside the old ones.
        _ = try storeReport(upgraded, input: "b.xml", reportID: "r-2", records: records, payload: [2])
        read = []
        try upgraded.forEachRecord(ReportFilter()) { _, stored in read.append(stored.record) }
        #expect(read == records + records)
    }

    @Test func theSelectorsOfEachReportAreKeptAtImportAndBackfilledOnUpgrade() throws {
        let temp = try TemporaryDirectory()
        let database = try temp.makeDatabase()
        var records = recordsWithSeveralResults()
        records[0].dkimResults[0].selector = "S1"
        _ = try storeReport(database, input: "several.xml", records: records)
        func selectors(_ database: ReportDatabase) throws -> [String] {
            try database.queue.read { db in
                try String.fetchAll(db, sql: "SELECT domain || ' ' || selector FROM report_selector ORDER BY 1")
            }
        }
        let expected = ["esp.example.net k2", "example.com s1", "other.example x"]
        #expect(try selectors(database) == expected)
        #expect(try database.dkimSelectors(domain: "example.com", since: 0).map(\.selector) == ["s1"])
        // A file from before migration 013 gets the same rows from its records.
        try database.queue.writeWithoutTransaction { db in
            try db.execute(
                sql: """
                    DROP TABLE report_selector;
                    DELETE FROM grdb_migrations WHERE identifier = '013-report-selectors';
                    """)
        }
        database.close()
        let upgraded = try temp.makeDatabase()
        #expect(try selectors(upgraded) == expected)
    }
}
