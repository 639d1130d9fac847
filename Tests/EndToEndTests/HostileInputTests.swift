import Foundation
import ReportIngest
import ReportModel
import ReportPipeline
import ReportStore
import ReportTestSupport
import Testing

/// Inputs made to hurt a report processor. Each has its expected outcome; none may crash or hang, and
/// every one ends up stored, or kept with its reason.
@Suite struct HostileInputTests {
    let report = (try? SampleReports.bytes("source/yahoo.com!example.org!1764547200!1764633599.xml")) ?? []

    func importing(_ files: [(String, [UInt8])], limits: UnpackLimits = UnpackLimits()) throws -> [ImportItem] {
        let temp = try TemporaryDirectory()
        let paths = try files.map { try temp.write($0.0, $0.1) }
        let collected = ItemCollector()
        let summary = try ImportPipeline(database: try temp.makeDatabase(), limits: limits).importPaths(paths) {
            collected.items.append($0)
        }
        #expect(summary.failures.isEmpty)
        return collected.items
    }

    func text(_ bytes: [UInt8]) -> String { String(decoding: bytes, as: UTF8.self) }

    func replacing(_ target: String, with replacement: String) -> [UInt8] {
        Array(
            text(report).split(separator: target, omittingEmptySubsequences: false).joined(separator: replacement).utf8)
    }

    @Test func entityAttacksAreRefused() throws {
        let quadratic =
            "<?xml version=\"1.0\"?><!DOCTYPE feedback [<!ENTITY a \"\(String(repeating: "x", count: 50_000))\">]>"
            + "<feedback><report_metadata><org_name>" + String(repeating: "&a;", count: 50_000)
            + "</org_name></report_metadata></feedback>"
        let urlEntity =
            "<?xml version=\"1.0\"?><!DOCTYPE feedback [<!ENTITY x SYSTEM \"http://attacker.example/x\">]><feedback>&x;</feedback>"
        let items = try importing([
            ("quadratic.xml", Array(quadratic.utf8)), ("url-entity.xml", Array(urlEntity.utf8)),
            ("xxe.xml", try SampleReports.bytes("invalid/xxe-file.xml")),
            ("laughs.xml", try SampleReports.bytes("invalid/billion-laughs.xml")),
        ])
        #expect(items.map(\.outcome) == [.rejected, .rejected, .rejected, .rejected])
        #expect(items.allSatisfy { ($0.reason ?? "").contains("<!DOCTYPE>") })
    }

    @Test func deepNestingAndHugeTextAreBounded() throws {
        let deep = replacing(
            "<row>",
            with: "<row>" + String(repeating: "<x>", count: 100_000) + String(repeating: "</x>", count: 100_000))
        let huge = replacing(
            "<org_name>Yahoo</org_name>", with: "<org_name>" + String(repeating: "A", count: 50 << 20) + "</org_name>")
        let items = try importing([("deep.xml", deep), ("huge-text.xml", huge)])
        #expect(items.count == 2)
        #expect(items.allSatisfy { $0.outcome == .stored || $0.outcome == .rejected })
        #expect(items[1].orgName.map { $0.utf8.count <= 64 * 1024 } ?? true)
    }

    @Test func brokenBytesAndEncodingsAreRejectedOrRecoveredWithAReason() throws {
        var nul = report
        nul.insert(contentsOf: [0, 0], at: 100)
        let unknownEncoding = replacing(
            "<?xml version=\"1.0\"?>", with: "<?xml version=\"1.0\" encoding=\"x-klingon\"?>")
        let items = try importing([("nul.xml", nul), ("klingon.xml", unknownEncoding)])
        #expect(items.map(\.outcome) == [.rejected, .rejected])
        #expect(items[1].reason?.contains("Unsupported encoding x-klingon") == true)
    }

    @Test func decompressionBombsStopAtTheCap() throws {
        let padding = [UInt8](repeating: 0x20, count: 64 << 20)
        let bomb = Compression.gzip(Array("<?xml version=\"1.0\"?><feedback>".utf8) + padding)
        let zipBomb = try Compression.zip([.file("bomb.xml", Array("<feedback>".utf8) + padding)])
        let items = try importing(
            [("bomb.xml.gz", bomb), ("bomb.zip", zipBomb)], limits: UnpackLimits(maxReportBytes: 8 << 20))
        #expect(items.map(\.outcome) == [.rejected, .rejected])
        #expect(items.allSatisfy { ($0.reason ?? "").contains("exceeds the limit of 8388608 bytes") })
        #expect(bomb.count < 1 << 20)
    }

    @Test func zipMembersAreCapped() throws {
        let members = (0..<10_050).map { Compression.Member.file("m\($0).txt", [0x78]) }
        let items = try importing([("many.zip", try Compression.zip(members))])
        #expect(items.count == 10_001)
        #expect(items.last?.reason == "more than 10000 archive members in one input; the rest were not read")
    }

    @Test func mimeAbuseIsBounded() throws {
        var parts = "From: a@example.net\r\nSubject: parts\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n"
        for _ in 0..<100_000 { parts += "--b\r\nContent-Type: text/plain\r\n\r\nx\r\n" }
        let longHeader =
            "From: a@example.net\r\nSubject: " + String(repeating: "s", count: 10 << 20) + "\r\n\r\nbody\r\n"
        let neverCloses =
            "From: a@example.net\r\nSubject: open\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\n"
            + "Content-Type: application/gzip\r\nContent-Transfer-Encoding: base64\r\n\r\n"
            + Data(Compression.gzip(report)).base64EncodedString(options: .lineLength76Characters)
        let garbage =
            "From: a@example.net\r\nSubject: garbage\r\nContent-Type: application/gzip\r\n"
            + "Content-Transfer-Encoding: base64\r\n\r\n!!!!@@@@####$$$$not base64 at all\r\n"
        let items = try importing([
            ("parts.eml", Array(parts.utf8)), ("long-header.eml", Array(longHeader.utf8)),
            ("never-closes.eml", Array(neverCloses.utf8)), ("garbage.eml", Array(garbage.utf8)),
        ])
        #expect(items.map(\.outcome) == [.skipped, .skipped, .stored, .skipped])
    }

    @Test func absurdValuesAreRejectedOrFlagged() throws {
        let negative = replacing("<count>58</count>", with: "<count>-5</count>")
        let overflow = replacing("<count>58</count>", with: "<count>9223372036854775807</count>")
        let backwards = replacing("<end>1764633599</end>", with: "<end>1764000000</end>")
        let year9999 = replacing("<end>1764633599</end>", with: "<end>253402300799</end>")
        let signatures = (0..<10_000).map {
            "<dkim><domain>d\($0).example</domain><selector>s</selector><result>pass</result></dkim>"
        }
        let manyDKIM = replacing("<auth_results>", with: "<auth_results>" + signatures.joined())
        let items = try importing([
            ("a-negative.xml", negative), ("b-overflow.xml", overflow), ("c-backwards.xml", backwards),
            ("d-9999.xml", year9999), ("e-dkim.xml", manyDKIM),
        ])
        #expect(items.map(\.outcome) == [.rejected, .rejected, .stored, .stored, .stored])
        #expect(items[0].reason == "record 1: <count> is negative (-5)")
        #expect(
            items[1].reason
                == "record 1: <count> 9223372036854775807 is more messages than any real record holds "
                + "(the limit is 10,000,000,000)")
        #expect(items[2].diagnostics.contains { $0.hasPrefix("odd-date-range: date_range begins after it ends") })
        #expect(items[3].end == 253_402_300_799)
    }

    @Test func jsonAbuseIsRejectedOrFlagged() throws {
        let deep =
            "{\"report-id\":\"x\",\"policies\":" + String(repeating: "[", count: 100_000)
            + String(repeating: "]", count: 100_000) + "}"
        let huge = """
            {"organization-name":"Huge","report-id":"huge-1","date-range":{"start-datetime":"2025-12-01T00:00:00Z",
            "end-datetime":"2025-12-01T23:59:59Z"},"policies":[{"policy":{"policy-type":"sts","policy-domain":"example.com"},
            "summary":{"total-successful-session-count":1e30,"total-failure-session-count":5,"total-failure-session-count":7}}]}
            """
        let items = try importing([("deep.json", Array(deep.utf8)), ("huge.json", Array(huge.utf8))])
        #expect(items.map(\.outcome) == [.rejected, .rejected])
        #expect(items[0].reason?.hasPrefix("not valid JSON") == true)
        #expect(
            items[1].reason?.contains("total-successful-session-count 1e+30 is more sessions than any real") == true)
    }

    @Test func aTLSReportLargerThanAnyRealOneIsRejectedUnparsed() throws {
        let detail = "{\"result-type\":\"certificate-expired\",\"failed-session-count\":1},"
        let details = String(repeating: detail, count: (1 << 20) / detail.utf8.count + 1)
        let json = """
            {"organization-name":"Big","report-id":"big-1","date-range":{"start-datetime":"2025-12-01T00:00:00Z",
            "end-datetime":"2025-12-01T23:59:59Z"},"policies":[{"policy":{"policy-type":"sts","policy-domain":"example.com"},
            "summary":{"total-successful-session-count":1,"total-failure-session-count":1},
            "failure-details":[\(details.dropLast())]}]}
            """
        let items = try importing([("big.json", Array(json.utf8)), ("big.json.gz", Compression.gzip(json))])
        #expect(items.map(\.outcome) == [.rejected, .rejected])
        #expect(items.allSatisfy { ($0.reason ?? "").hasPrefix("TLS report larger than 1048576 bytes of JSON") })
    }

    @Test func reportStringsCannotBreakAnyOutput() throws {
        let evilXML = replacing(
            "<org_name>Yahoo</org_name>", with: "<org_name>=HYPERLINK(\"x\")&lt;script&gt;\"q\"</org_name>")
        let evilJSON = """
            {"organization-name":"Evil\\u001b[31m\\nInc.","report-id":"evil-1","date-range":{"start-datetime":
            "2025-12-01T00:00:00Z","end-datetime":"2025-12-01T23:59:59Z"},"policies":[{"policy":{"policy-type":"sts",
            "policy-domain":"example.com"},"summary":{"total-successful-session-count":1,"total-failure-session-count":0}}]}
            """
        let temp = try TemporaryDirectory()
        let xmlPath = try temp.write("evil.xml", evilXML)
        let jsonPath = try temp.write("evil.json", evilJSON)
        let db = temp.path("db.sqlite")
        #expect(try RuaExecutable.run(["import", "--db", db, xmlPath, jsonPath]).status == 0)
        let textOutput = try RuaExecutable.run(["reports", "--db", db, "--wide"]).stdout
        #expect(!textOutput.contains("\u{1B}"))
        #expect(textOutput.contains("Evil\\x1b[31m\\nInc."))
        let csvOutput = try RuaExecutable.run(["reports", "--db", db, "--format", "csv"]).stdout
        #expect(csvOutput.contains("\"'=HYPERLINK(\"\"x\"\")<script>\"\"q\"\"\""))
        let jsonOutput = try RuaExecutable.run(["reports", "--db", db, "--format", "ndjson"]).stdout
        #expect(jsonOutput.contains("Evil\\u001b[31m\\nInc."))
        #expect(jsonOutput.split(separator: "\n").count == 2)
    }
}
