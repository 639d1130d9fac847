import Foundation
import ReportModel
import ReportTestSupport
import Testing

@testable import ReportStore

/// The months PostgreSQL keeps records by: each starts where the one before ends, named as the calendar
/// names it, with the first and last taking everything before and after them.
@Suite struct RecordPartitionMonthTests {
    @Test func everyMonthStartsWhereTheCalendarSaysAndWhereTheOneBeforeEnds() {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        for index in RecordPartitions.months {
            let start = RecordPartitions.start(ofMonth: index)
            let date = calendar.date(from: DateComponents(year: 2000 + (index - 1) / 12, month: (index - 1) % 12 + 1))!
            #expect(start == Int64(date.timeIntervalSince1970), "month \(index)")
            #expect(RecordPartitions.month(containing: start) == index)
            #expect(RecordPartitions.month(containing: start + 86_400 * 27 + 3_599) == index)
            if index > 1 { #expect(RecordPartitions.month(containing: start - 1) == index - 1) }
        }
    }

    @Test func monthsAreNamedByTheCalendarAndTheEndsTakeEverythingBeyond() {
        #expect(RecordPartitions.suffix(RecordPartitions.month(containing: 1_764_979_199)) == "2025_12")
        #expect(RecordPartitions.suffix(RecordPartitions.month(containing: 1_767_225_600)) == "2026_01")
        #expect(RecordPartitions.month(containing: 0) == 1)
        #expect(RecordPartitions.month(containing: -86_400 * 400) == 1)
        #expect(RecordPartitions.month(containing: 253_402_300_799) == 1023)
        #expect(RecordPartitions.suffix(1) == "2000_01")
        #expect(RecordPartitions.suffix(1023) == "2085_03")
        #expect(RecordPartitions.month(ofTable: "record_2025_12", table: "record") == 312)
        #expect(RecordPartitions.month(ofTable: "record_legacy", table: "record") == nil)
        #expect(RecordPartitions.month(ofTable: "record_id_2025_13", table: "record_id") == nil)
        // The last month's ids still leave room for a child's 16 bits.
        #expect(RecordPartitions.recordIDs(1023).upper <= Int64(1) << 47)
    }
}

/// A database made before records were partitioned keeps its records, readable as before, in a partition
/// of their own, which prune empties row by row while new months come and go whole.
@Suite(PostgresTestServer.enabled) struct RecordPartitionMigrationTests {
    @Test func recordsStoredBeforePartitioningStayReadableAndArePrunedRowByRow() throws {
        let temp = try TemporaryDirectory()
        let store = try TestDatabase(.postgresql, in: temp)
        guard case .postgresql(let url, let password) = store.location else { return }
        do {
            let connection = try PostgresConnection(url: url, password: password)
            try connection.execute("CREATE TABLE schema_migration (name TEXT PRIMARY KEY, applied_at BIGINT NOT NULL)")
            try connection.execute(PostgresSchema.migrations[0].sql)
            try connection.execute("INSERT INTO schema_migration VALUES ('001-schema', 0)")
            // One report of three records as the first schema stored them: ids from the one sequence of
            // blocks, a second DKIM result in the extra table.
            try connection.execute(
                """
                INSERT INTO input_blob (id, sha256, size, encoding) VALUES (1, '\\x01', 1, 'identity');
                INSERT INTO input (id, blob_id, name, imported_at) VALUES (1, 1, 'old.xml', 1760000000);
                INSERT INTO report (id, input_id, reporter, org_name, report_id, report_key, policy_domain, begin_utc,
                                    end_utc, recovered, payload_sha256, records, messages, first_record, last_record,
                                    counted, imported_at)
                VALUES (1, 1, 'old.example', 'Old', 'old-1', 'old-1', 'example.com', 1759881600, 1759967999, 0,
                        '\\x02', 3, 6, 65536, 65538, 1, 1760000000);
                INSERT INTO policy_published (report_id, domain, p) VALUES (1, 'example.com', 'none');
                INSERT INTO item (input_id, outcome, kind, report_id) VALUES (1, 'stored', 'dmarc', 1);
                INSERT INTO record (id, report_id, source_ip, count, header_from, alignment, inline_auth, dkim1_domain,
                                    dkim1_selector, dkim1_result)
                VALUES (65536, 1, '192.0.2.1', 1, 'example.com', 0, 1, 'example.com', 's1', 'pass'),
                       (65537, 1, '192.0.2.2', 2, 'example.com', 0, 0, NULL, NULL, NULL),
                       (65538, 1, '192.0.2.3', 3, 'example.com', 0, 0, NULL, NULL, NULL);
                INSERT INTO dkim_result_extra (id, domain, selector, result) VALUES (4294967297, 'esp.example', 's2', 'fail');
                SELECT setval('record_id_block', 65536);
                SELECT setval(pg_get_serial_sequence('report', 'id'), 1);
                SELECT setval(pg_get_serial_sequence('input', 'id'), 1);
                SELECT setval(pg_get_serial_sequence('input_blob', 'id'), 1);
                """)
        }
        let exported = try RuaExecutable.run(["export", "records", "--format", "ndjson"] + store.arguments)
        #expect(exported.status == 0, "\(exported.stderr)")
        let rows = exported.stdout.split(separator: "\n")
        #expect(rows.count == 3)
        #expect(rows.first?.contains("esp.example") == true, "\(exported.stdout)")
        #expect(try PostgresTestServer.current?.run("SELECT count(*) FROM ONLY record_legacy", on: url) == "3")

        let new = SyntheticReport(org: "New", reportID: "new-1", begin: 1_764_979_200, rows: [.init("192.0.2.9", 5)])
        let imported = try RuaExecutable.run(
            ["import", try temp.write("new.xml", new.xml)] + store.arguments, environment: ["RUA_NOW": "2025-12-07"])
        #expect(imported.status == 0, "\(imported.stdout)\(imported.stderr)")
        #expect(try PostgresTestServer.current?.run("SELECT count(*) FROM record_2025_12", on: url) == "1")

        let pruned = try RuaExecutable.run(
            ["prune", "--older-than", "1d", "--records"] + store.arguments, environment: ["RUA_NOW": "2026-01-05"])
        #expect(pruned.stdout.contains("records of 2 reports deleted (4 records)"), "\(pruned.stdout)\(pruned.stderr)")
        #expect(try PostgresTestServer.current?.run("SELECT count(*) FROM record_legacy", on: url) == "0")
        #expect(try PostgresTestServer.current?.run("SELECT count(*) FROM dkim_result_extra", on: url) == "0")
        #expect(try PostgresTestServer.current?.run("SELECT to_regclass('record_2025_12') IS NULL", on: url) == "t")
    }
}
