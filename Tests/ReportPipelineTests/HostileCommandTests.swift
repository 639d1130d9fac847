import Foundation
import GRDB
import ReportTestSupport
import Testing

/// Numbers from the command line and the environment are validated, and no stored value makes a
/// reading command trap.
@Suite(.serialized) struct HostileCommandTests {
    @Test(arguments: [
        ["summary", "--busy-timeout", "nan"], ["summary", "--busy-timeout", "inf"],
        ["summary", "--busy-timeout", "2147484"], ["summary", "--busy-timeout", "-1"],
        ["summary", "--since", "99999999999999999h"], ["summary", "--top", "-1"], ["failures", "--top", "-3"],
        ["sources", "--dns-timeout", "0"],
    ])
    func absurdNumbersOnTheCommandLineAreUsageErrors(_ arguments: [String]) throws {
        let temp = try TemporaryDirectory()
        let result = try RuaExecutable.run(arguments + ["--db", temp.path("db.sqlite")])
        #expect(result.status == 64, "\(arguments): \(result.stderr)")
        #expect(result.stderr.hasPrefix("Error: "))
    }

    @Test(arguments: ["9223372036854775807", "-5", "99999-01-01"])
    func anAbsurdRUA_NOWIsAUsageError(_ now: String) throws {
        let temp = try TemporaryDirectory()
        let result = try RuaExecutable.run(["summary", "--db", temp.path("db.sqlite")], environment: ["RUA_NOW": now])
        #expect(result.status == 64)
        #expect(result.stderr.contains("RUA_NOW"))
    }

    @Test func reprocessingAnInputThatDoesNotExistFails() throws {
        let temp = try TemporaryDirectory()
        _ = try RuaExecutable.run(["import", "--quiet", "--db", temp.path("db.sqlite"), "SampleReports/tlsrpt"])
        let result = try RuaExecutable.run(["reprocess", "9999999", "--db", temp.path("db.sqlite")])
        #expect(result.status == 74)
        #expect((result.stdout + result.stderr).contains("input #9999999: no such input"))
    }

    @Test func anOutputDeviceThatIsFullIsNamedWithTheReason() throws {
        let temp = try TemporaryDirectory()
        let db = temp.path("db.sqlite")
        _ = try RuaExecutable.run(["import", "--db", db, "SampleReports/dmarc"])
        let full = try RuaExecutable.run(["export", "records", "--db", db, "--output", "/dev/full"])
        #expect(full.status == 74)
        #expect(full.stderr.contains("cannot write /dev/full: No space left on device"))
        let missing = try RuaExecutable.run(["digest", "--db", db, "--output", temp.path("no/such/dir/d.html")])
        #expect(missing.status == 74)
        #expect(missing.stderr.contains("d.html: No such file or directory"))
    }

    /// A database written before counts were bounded (or by another tool) may hold totals near 2^63:
    /// every reading command still answers.
    @Test func readingCommandsDoNotTrapOnHugeStoredCounts() throws {
        let temp = try TemporaryDirectory()
        let db = temp.path("db.sqlite")
        #expect(
            try RuaExecutable.run(["import", "--db", db, "SampleReports/dmarc", "SampleReports/tlsrpt"]).status == 0)
        let queue = try DatabaseQueue(path: db)
        try queue.write { db in
            let huge = Int64.max
            try db.execute(sql: "UPDATE record SET count = ?", arguments: [huge])
            try db.execute(sql: "UPDATE report SET messages = ?", arguments: [huge])
            try db.execute(
                sql: "UPDATE report_rollup SET messages = ?, dmarc_pass = ?, quarantine = ?",
                arguments: [huge, huge / 2, huge / 3])
            try db.execute(sql: "UPDATE source_rollup SET messages = ?, dmarc_pass = ?", arguments: [huge, 0])
            try db.execute(
                sql: "UPDATE tls_policy SET successful_sessions = ?, failed_sessions = ?", arguments: [huge, huge])
            try db.execute(sql: "UPDATE tls_failure SET failed_sessions = ?", arguments: [huge])
        }
        try queue.close()
        for command in [
            ["summary"], ["reports"], ["tls"], ["failures", "--offline"], ["sources", "--offline"],
            ["digest", "--offline", "--since", "2025-11-01"],
            ["digest", "--offline", "--format", "json", "--since", "2025-11-01"],
            ["export", "sources"], ["export", "records"], ["export", "reports"],
        ] {
            let result = try RuaExecutable.run(command + ["--db", db])
            #expect(result.status == 0, "\(command): exit \(result.status) \(result.stderr)")
        }
    }
}
