import Foundation
import ReportTestSupport
import Testing

/// `rua alerts` run as a daily job would: each problem alerts once, comes back only after it went away,
/// and a domain whose reports stop is noticed.
@Suite struct AlertsCommandTests {
    static let day: Int64 = 86_400
    /// 2025-11-03, a Monday.
    static let start: Int64 = 1_762_128_000

    /// Daily reports for example.com from Alpha for `days` days from ``start``: a clean first week, then
    /// a second week in which 192.0.2.1 fails a fifth of its mail and 198.51.100.9 appears, failing.
    static func database(days: Int = 14, in temp: TemporaryDirectory) throws -> String {
        var paths: [String] = []
        for index in 0..<days {
            let begin = start + Int64(index) * day
            var rows: [SyntheticReport.Row] = [.init("192.0.2.1", 400)]
            if index >= 7 {
                rows = [.init("192.0.2.1", 300), .init("192.0.2.1", 100, dkim: "fail", spf: "fail")]
                if index == 9 { rows.append(.init("198.51.100.9", 40, dkim: "fail", spf: "fail")) }
            }
            let report = SyntheticReport(org: "Alpha", reportID: "a-\(index)", begin: begin, rows: rows)
            paths.append(try temp.write("report-\(index).xml", report.xml))
        }
        let db = temp.path("db.sqlite")
        let imported = try RuaExecutable.run(["import", "--quiet", "--db", db] + paths)
        #expect(imported.status == 0, "\(imported.stderr)")
        return db
    }

    static func alerts(
        _ db: String, at now: String, _ extra: [String] = []
    ) throws -> (
        status: Int32, stdout: String, stderr: String
    ) {
        try RuaExecutable.run(["alerts", "--db", db] + extra, environment: ["RUA_NOW": now, "RUA_OFFLINE": "1"])
    }

    @Test func aProblemAlertsOnceAndAgainOnlyWhenItComesBack() throws {
        let temp = try TemporaryDirectory()
        let db = try Self.database(in: temp)
        // A dry run remembers nothing: it can be repeated.
        for _ in 0..<2 {
            let dry = try Self.alerts(db, at: "2025-11-17T08:00:00Z", ["--dry-run"])
            #expect(dry.status == 1)
            #expect(dry.stdout.contains("[pass_rate_drop] example.com: DMARC pass rate fell from 100.0% to"))
        }
        let first = try Self.alerts(db, at: "2025-11-17T08:00:00Z")
        #expect(first.status == 1, "\(first.stderr)")
        #expect(first.stdout.hasPrefix("3 new alerts for 2025-11-10 – 2025-11-16 (UTC):"))
        #expect(first.stdout.contains("[new_failing_source] example.com: new source 198.51.100.9: 40 of 40"))
        #expect(
            first.stdout.contains(
                "[source_started_failing] example.com: source that passed before 192.0.2.1: 700 of 2800"))
        // The next day the same problems are still there: nothing new, nothing printed.
        let second = try Self.alerts(db, at: "2025-11-18T08:00:00Z", ["--last", "8d"])
        #expect(second.status == 0)
        #expect(second.stdout.isEmpty)
        let listed = try Self.alerts(db, at: "2025-11-18T08:00:00Z", ["--last", "8d", "--all"])
        #expect(listed.stdout.contains("Still open (alerted before):"))
        #expect(listed.stdout.contains("(since 2025-11-17)"))
        // Thresholds decide: a drop of 50 points is not reached.
        let lenient = try Self.alerts(
            db, at: "2025-11-17T08:00:00Z", ["--dry-run", "--drop", "50", "--source-messages", "100"])
        #expect(lenient.status == 0)
        #expect(lenient.stdout.isEmpty)
        // Weeks on nothing fails any more (no reports: Alpha's silence is the new alert), so the three
        // resolve…
        let gone = try Self.alerts(db, at: "2025-12-08T08:00:00Z", ["--no-heartbeat", "--all"])
        #expect(gone.status == 1)
        #expect(gone.stdout.contains("[reporter_silent] example.com: Alpha sent 14 reports"))
        let resolved = gone.stdout.components(separatedBy: "Resolved since the last run:").last ?? ""
        #expect(resolved.contains("[pass_rate_drop]") && resolved.contains("[new_failing_source]"))
        // …so the same period looked at again alerts anew.
        let again = try Self.alerts(db, at: "2025-11-17T08:00:00Z")
        #expect(again.status == 1)
        let json = try Self.alerts(db, at: "2025-11-17T08:00:00Z", ["--format", "json"])
        let document = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
        #expect(document["command"] as? String == "alerts")
        #expect(document["new"] as? Int == 0)
        let rows = try #require(document["rows"] as? [[String: Any]])
        #expect(Set(rows.compactMap { $0["status"] as? String }) == ["ongoing"])
        #expect(
            Set(rows.compactMap { $0["code"] as? String })
                == ["pass_rate_drop", "new_failing_source", "source_started_failing"])
    }

    @Test func aDomainWhoseReportsStopIsNoticedAfterTwiceItsUsualInterval() throws {
        let temp = try TemporaryDirectory()
        let db = try Self.database(days: 20, in: temp)
        // The last report covers 2025-11-22. Daily reports: late after two days and a day to travel.
        let onTime = try Self.alerts(db, at: "2025-11-25T12:00:00Z", ["--last", "2d", "--format", "json", "--dry-run"])
        #expect(!onTime.stdout.contains("heartbeat_missed"))
        let late = try Self.alerts(db, at: "2025-11-26T12:00:00Z", ["--last", "2d"])
        #expect(late.status == 1)
        #expect(
            late.stdout.contains(
                "[heartbeat_missed] example.com: no report for 3 days; reports came on 20 of the last 28 days"))
        // Alpha's silence is the same problem: it is not alerted once more per reporter.
        #expect(!late.stdout.contains("reporter_silent"))
        let off = try Self.alerts(
            db, at: "2025-11-26T12:00:00Z", ["--last", "2d", "--no-heartbeat", "--dry-run", "--format", "json"])
        #expect(!off.stdout.contains("\"status\":\"new\",\"code\":\"heartbeat_missed\""))
        #expect(off.stdout.contains("\"status\":\"new\",\"code\":\"reporter_silent\""))
    }

    @Test(.enabled(if: HTTPSTestServer.canRun, "python3 and openssl are needed for the local HTTPS server"))
    func alertsAreSentOnlyWhenSomethingIsNew() throws {
        let temp = try TemporaryDirectory()
        let db = try Self.database(in: temp)
        let server = try HTTPSTestServer()
        let hook = ["--webhook", "https://127.0.0.1:\(server.port)/alerts", "--ca-file", server.caFile]
        let first = try Self.alerts(db, at: "2025-11-17T08:00:00Z", hook)
        #expect(first.status == 1, "\(first.stderr)")
        let second = try Self.alerts(db, at: "2025-11-17T09:00:00Z", hook)
        #expect(second.status == 0)
        #expect(server.requests.count == 1)
        let body = try #require(
            try JSONSerialization.jsonObject(with: Data((server.requests.first?.body ?? "").utf8)) as? [String: Any])
        #expect((body["text"] as? String)?.hasPrefix("Rua: example.com pass rate drop and 2 more") == true)
        #expect((body["alerts"] as? [String: Any])?["new"] as? Int == 3)
    }
}
