import Foundation
import GRDB
import ReportModel
import ReportPipeline
import ReportStore
import ReportTestSupport
import Testing

/// Failures of the database are told apart from what SQLite refuses of one input: the first is a
/// failure of the run (75 only when trying later may help), the second keeps the input with its reason.
@Suite struct StoreFailureTests {
    /// `count` sources with addresses spread over the whole IPv4 space, so that their rollup rows land
    /// all over the index (sorted addresses touch few pages and never grew the savepoint journal).
    static func scatteredRows(_ count: Int, seed: UInt64) -> [SyntheticReport.Row] {
        var state = seed
        return (0..<count).map { _ in
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            let bits = UInt32(truncatingIfNeeded: state >> 32)
            let ip = "\(1 + bits >> 24 % 223).\(bits >> 16 & 255).\(bits >> 8 & 255).\(bits & 255)"
            return SyntheticReport.Row(ip, 1)
        }
    }

    @Test func reportsWithTensOfThousandsOfSourcesForOneDomainAndDayAreAllStored() throws {
        let temp = try TemporaryDirectory()
        let begin: Int64 = 1_764_547_200
        let paths = try (1...3).map { index in
            let report = SyntheticReport(
                org: "Reporter \(index)", reportID: "r\(index)", begin: begin,
                rows: Self.scatteredRows(30_000, seed: UInt64(index)))
            return try temp.write("r\(index).xml", report.xml)
        }
        let database = try temp.makeDatabase()
        // One import per report, as separate deliveries would be.
        for path in paths {
            let summary = try ImportPipeline(database: database).importPaths([path])
            #expect(summary.failures.isEmpty, "\(summary.failures)")
            #expect(summary.stored == 1)
            #expect(summary.records == 30_000)
        }
    }

    @Test func anInputSQLiteRefusesIsKeptWithTheReasonAndTheBatchGoesOn() throws {
        let temp = try TemporaryDirectory()
        let database = try temp.makeDatabase()
        database.close()
        // Stands for any refusal of one input's data (a constraint, a value SQLite will not take).
        let queue = try DatabaseQueue(path: temp.path("rua.sqlite"))
        try queue.write { db in
            try db.execute(
                sql: """
                    CREATE TRIGGER refuse_poison BEFORE UPDATE ON report WHEN NEW.org_name = 'Poison'
                    BEGIN SELECT RAISE(ABORT, 'refused by a test trigger'); END
                    """)
        }
        try queue.close()
        let poison = SyntheticReport(
            org: "Poison", reportID: "p1", begin: 1_764_547_200, rows: [.init("192.0.2.1", 3)])
        let good = SyntheticReport(org: "Good", reportID: "g1", begin: 1_764_547_200, rows: [.init("192.0.2.2", 5)])
        let paths = [try temp.write("a-poison.xml", poison.xml), try temp.write("b-good.xml", good.xml)]
        let collected = ItemCollector()
        let reopened = try ReportDatabase(path: temp.path("rua.sqlite"))
        let summary = try ImportPipeline(database: reopened).importPaths(paths) { collected.items.append($0) }
        #expect(summary.failures.isEmpty)
        #expect(summary.temporaryFailure == false)
        #expect(summary.stored == 1)
        #expect(summary.rejected == 1)
        let rejected = try #require(collected.items.first { $0.outcome == .rejected })
        #expect(rejected.input == paths[0])
        #expect(rejected.reason?.contains("refused by a test trigger") == true)
        #expect(try reopened.quarantined().map(\.name) == [paths[0]])
    }

    @Test func diskFullIsTemporaryOnlyWhenTheDiskIsFull() throws {
        let temp = try TemporaryDirectory()
        // 13 is SQLITE_FULL, 5 SQLITE_BUSY.
        let error = StoreError.sqlite(
            code: 13, message: "database or disk is full", databasePath: temp.path("rua.sqlite"))
        // This machine's disk has room: SQLite's "full" is then a refusal of the input's own.
        #expect(error.isTemporary == false)
        #expect(error.concernsDatabase == false)
        #expect(error.message.contains("though the disk is not full"))
        let busy = StoreError.sqlite(code: 5, message: "database is locked", databasePath: temp.path("rua.sqlite"))
        #expect(busy.isTemporary && busy.concernsDatabase)
    }

    @Test func aDatabaseThatIsADirectoryIs74WithTheReasonAnd75FromStandardInput() throws {
        let temp = try TemporaryDirectory()
        let directory = temp.path("db.sqlite")
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let fromPath = try RuaExecutable.run(["import", "--db", directory, "SampleReports/dmarc"])
        #expect(fromPath.status == 74)
        #expect(fromPath.stderr.contains("Is a directory"))
        let message = try SampleReports.bytes("mail/google-zip.eml")
        let fromStandardInput = try RuaExecutable.run(["import", "--db", directory], input: message)
        #expect(fromStandardInput.status == 75)
        #expect(fromStandardInput.stderr.contains("Is a directory"))
    }
}
