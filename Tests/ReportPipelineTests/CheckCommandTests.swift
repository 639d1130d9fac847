import Foundation
import Glibc
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
            rows: [
                .init("192.0.2.1", 10, headerFrom: "good.example"),
                // Signed by the domain, but not in its SPF: a sender the record is missing.
                .init("198.51.100.7", 25, spf: "fail", headerFrom: "good.example"),
            ])
        let db = temp.path("db.sqlite")
        _ = try RuaExecutable.run(["import", "--quiet", "--db", db, try temp.write("r.xml", report.xml)])
        let withReports = try RuaExecutable.run(
            ["check", "good.example", "--db", db] + dns, environment: ["RUA_NOW": "2025-12-03T00:00:00Z"])
        #expect(
            withReports.stdout.contains(
                "✗ dkim.key: s1._domainkey.good.example: no key record, but the reports show the selector in use"))
        #expect(withReports.status == 2)
        #expect(
            withReports.stdout.contains(
                "⚠ spf.senders: passing DKIM but not SPF in the last 30 days' reports, not in SPF: 198.51.100.7 (25)"))
        #expect(!withReports.stdout.contains("192.0.2.1 (10)"))
        // The record asks for TLS reports; none is stored.
        #expect(withReports.stdout.contains("⚠ tlsrpt.reports: no TLS report stored for good.example"))
        #expect(!good.stdout.contains("tlsrpt.reports"))
        // p=none judged with the reports: how long they have shown it, and the readiness verdict.
        let watching = SyntheticReport(
            org: "Alpha", reportID: "w1", domain: "watch.example", begin: 1_764_547_200,
            rows: [.init("192.0.2.1", 10, headerFrom: "watch.example")])
        _ = try RuaExecutable.run(["import", "--quiet", "--db", db, try temp.write("w.xml", watching.xml)])
        let judged = try RuaExecutable.run(
            ["check", "watch.example", "--db", db] + dns, environment: ["RUA_NOW": "2025-12-03T00:00:00Z"])
        #expect(
            judged.stdout.contains(
                "⚠ dmarc.policy: p=none: receivers only report; nothing failing DMARC is stopped; the reports show p=none for 2 days (since 2025-12-01); readiness: not enough evidence: 1 day, 1 reporter, 10 messages"
            ), "\(judged.stdout)")
        let given = try RuaExecutable.run(["check", "good.example", "--selector", "mail"] + dns)
        #expect(given.stdout.contains("mail._domainkey.good.example"))
        #expect(try RuaExecutable.run(["check", "not a domain"] + dns).status == 64)
        #expect(try RuaExecutable.run(["check"] + dns).status == 64)
    }
}

/// The README's `rua check` output is what the samples give against their zone.
@Suite(.enabled(if: DNSServer.isAvailable, DNSServer.missing)) struct ReadmeCheckTests {
    @Test func theReadmeShowsTheRealOutputForTheSampleZone() throws {
        let temp = try TemporaryDirectory()
        let db = temp.path("demo.sqlite")
        _ = try RuaExecutable.run(["import", "--quiet", "--db", db] + SampleReports.folders)
        let server = try DNSServer.start(configuration: SampleReports.path("example.com.dnsmasq"), in: temp)
        let result = try RuaExecutable.run(
            ["check", "example.com", "--db", db, "--dns-server", "127.0.0.1:\(server.port)"],
            environment: ["RUA_NOW": "2025-12-03"])
        #expect(result.status == 2)
        let readme = try String(contentsOf: SampleReports.url("../README.md"), encoding: .utf8)
        let marker = "reports; this is its output:\n\n```\n"
        let start = try #require(readme.range(of: marker)).upperBound
        let end = try #require(readme.range(of: "```", range: start..<readme.endIndex)).lowerBound
        #expect(String(readme[start..<end]) == result.stdout)
    }
}

/// Many domains at once: checked concurrently, each shared name asked once, the output in order.
@Suite(.enabled(if: DNSServer.isAvailable, DNSServer.missing)) struct ManyDomainsCheckTests {
    @Test func sharedNamesAreAskedOnceAndTheOrderIsKept() throws {
        let temp = try TemporaryDirectory()
        let names = (0..<60).map { "m\($0).many.example" }.reversed()
        var txt: [(name: String, text: String)] = [("_spf.shared.example", "v=spf1 ip4:198.51.100.0/24 -all")]
        for name in names {
            txt.append(("_dmarc." + name, "v=DMARC1; p=reject; rua=mailto:d@" + name))
            txt.append((name, "v=spf1 include:_spf.shared.example -all"))
        }
        let server = try DNSServer.start(
            hostRecords: [("mx.shared.example", "192.0.2.25")], txtRecords: txt,
            mxRecords: names.map { ($0, "mx.shared.example", 10) }, in: temp)
        let result = try RuaExecutable.run(
            ["check"] + names + ["--dns-server", "127.0.0.1:\(server.port)", "--dns-timeout", "1000"])
        let headers = result.stdout.split(separator: "\n").filter { !$0.hasPrefix(" ") && $0.contains(".many.") }
        #expect(headers.map(String.init) == Array(names))
        #expect(server.questions("TXT", for: "_spf.shared.example") == 1)
        #expect(server.questions("TXT", for: "_dmarc.example") == 1)
        #expect(server.questions("MX", for: "m7.many.example") == 1)
    }
}

/// The DNS history: each run's records stored, changes said under the check that read them.
@Suite(.enabled(if: DNSServer.isAvailable, DNSServer.missing)) struct RecordHistoryTests {
    @Test(arguments: TestEngine.available) func aChangedRecordIsReportedOnceWithWhatChanged(_ engine: TestEngine) throws
    {
        let temp = try TemporaryDirectory()
        let store = try TestDatabase(engine, in: temp)
        let db = store.argument
        let report = SyntheticReport(
            org: "Alpha", reportID: "h1", domain: "hist.example", begin: 1_777_593_600,
            rows: [.init("192.0.2.1", 10, headerFrom: "hist.example")])
        #expect(
            try RuaExecutable.run(["import", "--quiet", "--db", db, try temp.write("r.xml", report.xml)]).status == 0)
        func check(spf: String, dmarc: String, day: String, _ extra: [String] = []) throws -> String {
            let zone = try TemporaryDirectory()
            let server = try DNSServer.start(
                hostRecords: [],
                txtRecords: [
                    ("hist.example", spf), ("_dmarc.hist.example", dmarc),
                    ("_spf.esp.example", "v=spf1 ip4:198.51.100.0/24 -all"),
                ], in: zone)
            let result = try RuaExecutable.run(
                [
                    "check", "hist.example", "--db", db, "--dns-server", "127.0.0.1:\(server.port)", "--dns-timeout",
                    "500",
                ]
                    + extra, environment: ["RUA_NOW": "\(day)T06:00:00Z"])
            return result.stdout
        }
        let first = try check(
            spf: "v=spf1 include:_spf.esp.example mx -all", dmarc: "v=DMARC1; p=none; rua=mailto:d@hist.example",
            day: "2026-05-01")
        #expect(!first.contains("changed:"))
        // A dry run says what changed but keeps nothing: the next run says it again.
        let dry = try check(
            spf: "v=spf1 mx -all", dmarc: "v=DMARC1; p=quarantine; rua=mailto:d@hist.example", day: "2026-05-02",
            ["--dry-run"])
        #expect(dry.contains("changed: SPF changed: include:_spf.esp.example removed"))
        let second = try check(
            spf: "v=spf1 mx -all", dmarc: "v=DMARC1; p=quarantine; rua=mailto:d@hist.example", day: "2026-05-03")
        #expect(
            second.contains(
                "changed: SPF changed: include:_spf.esp.example removed (seen on 2026-05-03; the check of 2026-05-01 saw the old one)"
            ), "\(second)")
        #expect(second.contains("changed: DMARC changed: p=none removed, p=quarantine added"))
        // Seen before: no longer a change.
        let third = try check(
            spf: "v=spf1 mx -all", dmarc: "v=DMARC1; p=quarantine; rua=mailto:d@hist.example", day: "2026-05-04")
        #expect(!third.contains("changed:"))
    }
}

/// MTA-STS policies fetched over HTTPS from a local server on 127.0.0.5:443 (so as root), the name
/// resolved by the test zone.
@Suite(
    .serialized,
    .enabled(
        if: DNSServer.isAvailable && getuid() == 0 && HTTPSTestServer.canRun,
        "needs dnsmasq, root (port 443) and python3"))
struct MTASTSCheckTests {
    /// A TLS report for sts.example of 2025-12-01 with `failures` sessions of `resultType` among 100.
    static func tlsReport(_ resultType: String, failures: Int) -> String {
        """
        {"organization-name":"Sender Org","date-range":{"start-datetime":"2025-12-01T00:00:00Z",
         "end-datetime":"2025-12-01T23:59:59Z"},"contact-info":"tls@sender.test","report-id":"t-\(resultType)",
         "policies":[{"policy":{"policy-type":"sts","policy-string":["version: STSv1","mode: enforce",
           "mx: *.sts.example","max_age: 604800"],"policy-domain":"sts.example","mx-host":["*.sts.example"]},
          "summary":{"total-successful-session-count":\(100 - failures),"total-failure-session-count":\(failures)},
          "failure-details":[{"result-type":"\(resultType)","sending-mta-ip":"198.51.100.1",
            "receiving-mx-hostname":"mx1.sts.example","failed-session-count":\(failures)}]}]}
        """
    }

    static func check(
        policy: String, contentType: String = "text/plain", status: Int = 200, trusted: Bool = true,
        tlsReport: String? = nil
    )
        throws -> (status: Int32, stdout: String, stderr: String)
    {
        let temp = try TemporaryDirectory()
        let server = try HTTPSTestServer(
            status: status, host: "127.0.0.5", port: 443, names: ["mta-sts.sts.example"], body: policy,
            contentType: contentType)
        let dns = try DNSServer.start(
            hostRecords: [
                ("mta-sts.sts.example", "127.0.0.5"), ("mx1.sts.example", "192.0.2.25"),
                ("mx2.sts.example", "192.0.2.26"),
            ],
            txtRecords: [
                ("_mta-sts.sts.example", "v=STSv1; id=20260101"),
                ("_smtp._tls.sts.example", "v=TLSRPTv1; rua=mailto:tls@sts.example"),
            ],
            mxRecords: [("sts.example", "mx1.sts.example", 10), ("sts.example", "mx2.sts.example", 20)], in: temp)
        var stored: [String] = []
        if let tlsReport {
            let db = temp.path("db.sqlite")
            let imported = try RuaExecutable.run(
                ["import", "--quiet", "--db", db, try temp.write("tls.json", tlsReport)])
            #expect(imported.status == 0, "\(imported.stderr)")
            stored = ["--db", db]
        }
        return try RuaExecutable.run(
            ["check", "sts.example", "--dns-server", "127.0.0.1:\(dns.port)", "--format", "json"]
                + (trusted ? ["--ca-file", server.caFile] : []) + stored,
            environment: ["RUA_NOW": "2025-12-03T00:00:00Z"])
    }

    static func rows(_ json: String) throws -> [String: [String: Any]] {
        let document = try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any]
        let rows = document?["rows"] as? [[String: Any]] ?? []
        return Dictionary(rows.map { ($0["id"] as? String ?? "", $0) }) { first, _ in first }
    }

    @Test func aGoodPolicyCoversEveryMX() throws {
        let result = try Self.check(policy: "version: STSv1\nmode: enforce\nmx: *.sts.example\nmax_age: 604800\n")
        let rows = try Self.rows(result.stdout)
        #expect(rows["mta-sts.record"]?["status"] as? String == "pass")
        #expect(rows["mta-sts.policy"]?["status"] as? String == "pass", "\(rows["mta-sts.policy"] ?? [:])")
        #expect(rows["mta-sts.mx"]?["status"] as? String == "pass")
    }

    @Test func theTLSReportsAreReadBesideThePolicy() throws {
        let good = "version: STSv1\nmode: enforce\nmx: *.sts.example\nmax_age: 604800\n"
        // The policy fetches now, yet senders reported fetch errors: intermittent.
        let intermittent = try Self.rows(
            Self.check(policy: good, tlsReport: Self.tlsReport("sts-policy-fetch-error", failures: 10)).stdout)
        #expect(intermittent["mta-sts.reports"]?["status"] as? String == "warning")
        #expect(
            (intermittent["mta-sts.reports"]?["message"] as? String)?.contains(
                "10 sessions sts-policy-fetch-error: the policy fetches now") == true)
        #expect(
            (intermittent["tlsrpt.reports"]?["message"] as? String)
                == "the last TLS report ended 2025-12-01; in the last 30 days 100 sessions, 10 failed (10.0%)")
        // The policy cannot be fetched here either: the reports confirm the cause.
        let broken = try Self.rows(
            Self.check(
                policy: good, trusted: false, tlsReport: Self.tlsReport("sts-policy-fetch-error", failures: 10)
            ).stdout)
        #expect(broken["mta-sts.reports"]?["status"] as? String == "failure")
        #expect((broken["mta-sts.reports"]?["message"] as? String)?.contains("for the reason above") == true)
        // Certificates failing validation at the MX under mode: enforce: mail was not delivered.
        let invalid = try Self.rows(
            Self.check(policy: good, tlsReport: Self.tlsReport("validation-failure", failures: 3)).stdout)
        #expect(invalid["mta-sts.reports"]?["status"] as? String == "failure")
        #expect(
            (invalid["mta-sts.reports"]?["message"] as? String)?.contains(
                "3 sessions validation-failure: under mode: enforce those senders did not deliver") == true)
        // Clean reports pass; without a database there is no report evidence at all.
        let clean = try Self.rows(
            Self.check(policy: good, tlsReport: Self.tlsReport("validation-failure", failures: 0)).stdout)
        #expect(clean["mta-sts.reports"]?["status"] as? String == "pass")
        #expect(try Self.rows(Self.check(policy: good).stdout)["tlsrpt.reports"] == nil)
    }

    @Test func aPolicyMissingAnMXTheWrongTypeARedirectOrAnUntrustedCertificateIsNamed() throws {
        let missing = try Self.rows(
            Self.check(policy: "version: STSv1\nmode: enforce\nmx: mx1.sts.example\nmax_age: 604800\n").stdout)
        #expect(missing["mta-sts.mx"]?["status"] as? String == "failure")
        #expect((missing["mta-sts.mx"]?["message"] as? String)?.contains("mx2.sts.example") == true)
        let html = try Self.rows(
            Self.check(
                policy: "version: STSv1\nmode: enforce\nmx: *.sts.example\nmax_age: 604800\n", contentType: "text/html"
            ).stdout)
        #expect(html["mta-sts.policy"]?["status"] as? String == "warning")
        #expect((html["mta-sts.policy"]?["message"] as? String)?.contains("text/html, not text/plain") == true)
        let moved = try Self.rows(Self.check(policy: "", status: 301).stdout)
        #expect((moved["mta-sts.policy"]?["message"] as? String)?.contains("redirects (301)") == true)
        let untrusted = try Self.rows(
            Self.check(policy: "version: STSv1\nmode: enforce\nmx: *.sts.example\nmax_age: 604800\n", trusted: false)
                .stdout)
        #expect(untrusted["mta-sts.policy"]?["status"] as? String == "failure")
        #expect((untrusted["mta-sts.policy"]?["message"] as? String)?.contains("certificate") == true)
    }
}

/// `rua check --readiness`: the verdict from the stored reports, no DNS asked.
@Suite struct ReadinessCommandTests {
    @Test(arguments: TestEngine.available) func readinessNamesTheSendersToFixAndTheNextStep(_ engine: TestEngine) throws
    {
        let temp = try TemporaryDirectory()
        let store = try TestDatabase(engine, in: temp)
        let day: Int64 = 86_400
        let rows: [SyntheticReport.Row] = [
            .init("192.0.2.1", 100),
            .init("203.0.113.66", 3, dkim: "fail", spf: "fail", signingDomain: "spoof.test"),
            .init("198.51.100.9", 4, dkim: "pass", spf: "fail", signingDomain: "esp.test", evaluatedDKIM: "fail"),
        ]
        var paths: [String] = []
        for offset in 0..<20 {
            for org in ["Alpha", "Beta"] {
                let report = SyntheticReport(
                    org: org, reportID: "\(org)-\(offset)", begin: 1_763_251_200 - Int64(offset) * day, rows: rows)
                paths.append(try temp.write("\(org)-\(offset).xml", report.xml))
            }
        }
        let db = store.argument
        #expect(try RuaExecutable.run(["import", "--quiet", "--db", db] + paths).status == 0)
        let environment = ["RUA_NOW": "2025-11-17T08:00:00Z"]
        let text = try RuaExecutable.run(
            ["check", "--readiness", "--all", "--db", db], environment: environment)
        #expect(text.status == 0, "\(text.stderr)")
        #expect(
            text.stdout.contains(
                "⚠ dmarc.readiness: ready after fixing this sender: 20 days with reports from 2 reporters"))
        #expect(
            text.stdout.contains("quarantine would have stopped 280 messages: 120 spoofing or unauthorized (1 source)"))
        #expect(
            text.stdout.contains(
                "sender 1: 198.51.100.9: 160 failing; sign with d=example.com at this sender (it signs as d=esp.test)"))
        #expect(text.stdout.contains("next step: p=quarantine; t=y"))
        #expect(
            try RuaExecutable.run(
                ["check", "--readiness", "example.com", "--fail-on", "warning", "--db", db], environment: environment
            ).status == 1)
        // Fewer days looked at: not enough evidence, and a domain without reports says so.
        let json = try RuaExecutable.run(
            ["check", "--readiness", "--days", "5", "example.com", "quiet.example", "--format", "json", "--db", db],
            environment: environment)
        #expect(try JSONSchemaCheck.errors(in: json.stdout, schema: "check") == [])
        let rowsOut = try #require(
            (try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])?["rows"]
                as? [[String: Any]])
        let verdicts = rowsOut.compactMap { ($0["evidence"] as? [String: String])?["verdict"] }
        #expect(verdicts == ["not_enough_evidence", "no_reports"])
        #expect(
            (rowsOut.first?["message"] as? String)?.hasPrefix(
                "not enough evidence: 4 days, 856 messages in the last 5 days") == true)
        #expect(
            try RuaExecutable.run(["check", "--readiness", "--all", "--db", temp.path("none.sqlite")]).status == 66)
    }
}
