import DMARCParser
import ReportModel
import ReportTestSupport
import Testing

/// Parses a sample of SampleReports/ whole.
func parseSample(_ name: String) throws -> AggregateReport {
    try DMARCParser().parse(SampleReports.bytes(name), fileName: name.split(separator: "/").last.map(String.init))
}

func parse(_ xml: String, fileName: String? = nil) throws -> AggregateReport {
    try DMARCParser().parse(Array(xml.utf8), fileName: fileName)
}

/// Why the parser rejects `xml`, or `nil` when it parses.
func parseRejection(_ xml: String, fileName: String? = nil) -> DMARCParseError? {
    do {
        _ = try parse(xml, fileName: fileName)
        return nil
    } catch {
        return error as? DMARCParseError
    }
}

@Suite struct FieldTests {
    let gmx = "rfc9990/gmx.net!example.com!1764547200!1764633599!9f2c4e1a7b3d4e5f8a9b0c1d2e3f4a5b.xml"

    @Test func everyReportLevelFieldOfRFC9990IsKept() throws {
        let report = try parseSample(gmx)
        let header = report.header
        #expect(header.namespace == "urn:ietf:params:xml:ns:dmarc-2.0")
        #expect(header.version == "1.0")
        #expect(header.isRFC9990)
        #expect(header.metadata.orgName == "GMX")
        #expect(header.metadata.email == "noreply-dmarc@gmx.net")
        #expect(header.metadata.extraContactInfo == "https://postmaster.gmx.net/")
        #expect(header.metadata.reportID == "9f2c4e1a7b3d4e5f8a9b0c1d2e3f4a5b")
        #expect(header.metadata.begin == 1_764_547_200)
        #expect(header.metadata.end == 1_764_633_599)
        #expect(header.metadata.errors == ["rua URI mailto:dmarc@example.net is not authorized"])
        #expect(header.metadata.generator == "ExampleReporter 3.2")
        let policy = header.policy
        #expect(policy.domain == "example.com")
        #expect(policy.p == .known(.reject))
        #expect(policy.sp == .known(.quarantine))
        #expect(policy.np == .known(.reject))
        #expect(policy.adkim == .known(.relaxed))
        #expect(policy.aspf == .known(.strict))
        #expect(policy.discoveryMethod == .known(.treewalk))
        #expect(policy.fo == "1")
        #expect(policy.testing == .known(.yes))
        #expect(policy.pct == nil)
        #expect(
            header.extensions == [
                "<extension>\n    <arc:arc-policy version=\"1\">trusted-sealers=example.org</arc:arc-policy>\n  </extension>"
            ])
    }

    @Test func everyRecordFieldOfRFC9990IsKept() throws {
        let records = try parseSample(gmx).records
        #expect(records.count == 2)
        let first = records[0]
        #expect(first.sourceIP == "2001:db8::25")
        #expect(first.count == 3)
        #expect(first.disposition == .known(.quarantine))
        #expect(first.dkim == .known(.fail))
        #expect(first.spf == .known(.fail))
        #expect(
            first.reasons == [
                OverrideReason(type: .known(.policyTestMode), comment: "t=y: reject lowered to quarantine"),
                OverrideReason(type: .known(.mailingList), comment: nil),
            ])
        #expect(first.headerFrom == "example.com")
        #expect(first.envelopeFrom == nil)
        #expect(first.envelopeTo == "example.de")
        #expect(
            first.dkimResults == [
                DKIMAuthResult(
                    domain: "list.example.net", selector: "s1", result: .known(.pass), humanResult: "good signature")
            ])
        #expect(
            first.spfResults == [
                SPFAuthResult(
                    domain: "list.example.net", scope: .known(.mfrom), result: .known(.pass),
                    humanResult: "sender is authorized")
            ])
        #expect(first.extensions == ["<arc:arc-results>arc=pass as=2 d=example.org</arc:arc-results>"])
        #expect(records[1].disposition == .known(.pass))
        #expect(records[1].passesDMARC)
    }

    @Test func rfc7489ReportKeepsItsPolicyAndRecords() throws {
        let report = try parseSample("source/google.com!example.com!1764547200!1764633599.xml")
        #expect(report.header.namespace == nil)
        #expect(report.header.policy.pct == 100)
        #expect(report.header.policy.np == .known(.none))
        #expect(report.records.map(\.count) == [1204, 37, 12, 310])
        #expect(report.records[1].dkimResults.map(\.domain) == ["example.com", "lists.example.org"])
        #expect(report.records[1].reasons == [OverrideReason(type: .known(.localPolicy), comment: "arc=pass")])
        #expect(report.records[1].sourceIP == "2001:db8:4860:4864::2a")
        #expect(report.diagnostics.isEmpty)
    }

    @Test(arguments: ["quirks/legacy-namespace.xml", "quirks/prefixed-namespace.xml"])
    func namespacesDoNotChangeWhatIsRead(_ sample: String) throws {
        let plain = try parseSample("source/google.com!example.com!1764547200!1764633599.xml")
        let namespaced = try parseSample(sample)
        #expect(namespaced.records == plain.records)
        #expect(namespaced.header.policy == plain.header.policy)
        #expect(namespaced.header.namespace != nil)
    }

    @Test func unknownElementsAreKeptVerbatimWithADiagnostic() throws {
        let report = try parse(
            minimalReport(recordExtra: "<comment_by_receiver note=\"x&amp;y\">kept &lt;here&gt;</comment_by_receiver>"))
        #expect(
            report.records[0].extensions == [
                "<comment_by_receiver note=\"x&amp;y\">kept &lt;here&gt;</comment_by_receiver>"
            ])
        #expect(report.diagnostics.contains { $0.code == .unknownElement && $0.severity == .warning })
    }

    @Test func feedingInTinyChunksGivesTheSameReport() throws {
        let bytes = try SampleReports.bytes(gmx)
        var records: [ReportRecord] = []
        let parser = AggregateReportParser(fileName: nil) { records.append($0) }
        for byte in bytes { _ = try [byte].withUnsafeBytes { try parser.feed($0) } }
        let parsed = try parser.finish()
        let whole = try parseSample(gmx)
        #expect(records == whole.records)
        #expect(parsed.header == whole.header)
        #expect(parsed.recordCount == 2)
        #expect(parsed.messageCount == 99)
    }

    @Test func recordsReachTheHandlerBeforeTheDocumentEnds() throws {
        var seen = 0
        let parser = AggregateReportParser(fileName: nil) { _ in seen += 1 }
        let xml = try SampleReports.bytes("source/google.com!example.com!1764547200!1764633599.xml")
        try Array(xml.dropLast(12)).withUnsafeBytes { _ = try parser.feed($0) }
        #expect(seen == 4)
    }
}

/// A small valid report with hooks for variations.
func minimalReport(
    metadataExtra: String = "",
    dateRange: String = "<date_range><begin>1764547200</begin><end>1764633599</end></date_range>",
    reportID: String = "<report_id>r-1</report_id>", count: String = "<count>5</count>", recordExtra: String = ""
) -> String {
    """
    <?xml version="1.0" encoding="UTF-8"?>
    <feedback>
      <report_metadata><org_name>receiver.example</org_name><email>d@receiver.example</email>\(reportID)\(dateRange)\(metadataExtra)</report_metadata>
      <policy_published><domain>example.com</domain><p>none</p></policy_published>
      <record>
        <row><source_ip>192.0.2.1</source_ip>\(count)
          <policy_evaluated><disposition>none</disposition><dkim>pass</dkim><spf>pass</spf></policy_evaluated></row>
        <identifiers><header_from>example.com</header_from></identifiers>
        <auth_results><spf><domain>example.com</domain><result>pass</result></spf></auth_results>\(recordExtra)
      </record>
    </feedback>
    """
}
