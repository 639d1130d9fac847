import Foundation
import ReportTestSupport
import Testing

/// `rua check` run as a process against a test zone on loopback.
@Suite(.enabled(if: DNSServer.isAvailable, DNSServer.missing)) struct CheckCommandTests {
    @Test func theExitStatusFollowsTheWorstCheckAndJSONFollowsItsSchema() throws {
        let temp = try TemporaryDirectory()
        let server = try DNSServer.start(
            hostRecords: [("mx1.good.example", "192.0.2.25")],
            txtRecords: [
                ("_dmarc.good.example", "v=DMARC1; p=reject; rua=mailto:dmarc@good.example"),
                ("good.example", "v=spf1 mx -all"),
                ("_smtp._tls.good.example", "v=TLSRPTv1; rua=mailto:tls@good.example"),
                ("_dmarc.watch.example", "v=DMARC1; p=none; rua=mailto:dmarc@watch.example"),
                ("watch.example", "v=spf1 -all"),
                ("_smtp._tls.watch.example", "v=TLSRPTv1; rua=mailto:tls@watch.example"),
            ],
            mxRecords: [("good.example", "mx1.good.example", 10), ("watch.example", "mx1.good.example", 10)], in: temp)
        let dns = ["--dns-server", "127.0.0.1:\(server.port)", "--dns-timeout", "500"]
        let good = try RuaExecutable.run(["check", "good.example"] + dns)
        #expect(good.status == 0, "\(good.stdout)")
        #expect(good.stdout.contains("✓ dmarc.record: one valid DMARC record"))
        // p=none is a warning: exit 0, or 1 under --fail-on warning.
        let watch = try RuaExecutable.run(["check", "watch.example"] + dns)
        #expect(watch.status == 0)
        #expect(watch.stdout.contains("⚠ dmarc.policy: p=none"))
        #expect(try RuaExecutable.run(["check", "watch.example", "--fail-on", "warning"] + dns).status == 1)
        let missing = try RuaExecutable.run(["check", "missing.example", "good.example"] + dns)
        #expect(missing.status == 2)
        #expect(missing.stdout.contains("✗ dmarc.record: no DMARC record at _dmarc.missing.example"))
        #expect(missing.stdout.contains("fix: publish _dmarc.missing.example TXT"))
        let json = try RuaExecutable.run(["check", "missing.example", "good.example", "--format", "json"] + dns)
        #expect(try JSONSchemaCheck.errors(in: json.stdout, schema: "check") == [])
        let document = try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any]
        #expect(document?["status"] as? String == "failure")
        // The selectors in use come from the reports: s1 signs for good.example and has no key here.
        let report = SyntheticReport(
            org: "Alpha", reportID: "k1", domain: "good.example", begin: 1_764_547_200,
            rows: [.init("192.0.2.1", 10, headerFrom: "good.example")])
        let db = temp.path("db.sqlite")
        _ = try RuaExecutable.run(["import", "--quiet", "--db", db, try temp.write("r.xml", report.xml)])
        let withReports = try RuaExecutable.run(
            ["check", "good.example", "--db", db] + dns, environment: ["RUA_NOW": "2025-12-03T00:00:00Z"])
        #expect(
            withReports.stdout.contains(
                "✗ dkim.key: s1._domainkey.good.example: no key record, but the reports show the selector in use"))
        #expect(withReports.status == 2)
        let given = try RuaExecutable.run(["check", "good.example", "--selector", "mail"] + dns)
        #expect(given.stdout.contains("mail._domainkey.good.example"))
        #expect(try RuaExecutable.run(["check", "not a domain"] + dns).status == 64)
        #expect(try RuaExecutable.run(["check"] + dns).status == 64)
    }
}
