import DMARCParser
import ReportModel
import ReportTestSupport
import Testing

@Suite struct QuirkTests {
    @Test func caseAliasesWhiteSpaceAndEmptyElementsAreRepairedWithDiagnostics() throws {
        let report = try parseSample("quirks/spf-hardfail-and-case.xml")
        let header = report.header
        #expect(header.metadata.orgName == "Example Receiver")
        #expect(header.metadata.reportID == "<quirk-case-1@receiver.example>")
        #expect(header.reportKey == "quirk-case-1@receiver.example")
        #expect(header.metadata.begin == 1_764_547_200)
        #expect(header.metadata.end == 1_764_633_599)
        #expect(header.policy.domain == "example.com")
        #expect(header.policy.adkim == .known(.relaxed))
        #expect(header.policy.aspf == .known(.relaxed))
        #expect(header.policy.p == .known(.none))
        #expect(header.policy.sp == nil)
        #expect(header.policy.fo == "0:1")
        let first = report.records[0]
        #expect(first.sourceIP == "192.0.2.50")
        #expect(first.count == 7)
        #expect(first.dkim == .known(.pass))
        #expect(first.spf == .known(.fail))
        #expect(first.reasons == [OverrideReason()])
        #expect(first.headerFrom == "example.com")
        #expect(first.envelopeFrom == "example.com")
        #expect(first.dkimResults == [DKIMAuthResult(domain: "example.com", result: .known(.pass))])
        #expect(
            first.spfResults == [
                SPFAuthResult(domain: "example.com", scope: .known(.mfrom), result: .known(.fail)),
                SPFAuthResult(domain: "mta.example.com", scope: .known(.helo), result: .known(.softfail)),
            ])
        let codes = Set(report.diagnostics.map(\.code))
        #expect(codes.isSuperset(of: [.enumCase, .enumAlias, .emptyElement, .lenientNumber]))
        #expect(
            report.diagnostics.contains {
                $0.message == "<spf/result> 'hardfail' is not a standard value; read as 'fail'"
            })
    }

    @Test func unknownValuesAreKeptVerbatimNeverDropped() throws {
        let second = try parseSample("quirks/spf-hardfail-and-case.xml").records[1]
        #expect(second.headerFrom == "example.com")  // read from <identities>
        #expect(second.dkimResults.first?.result == .unknown("unknown-verdict"))
        #expect(second.spfResults.first?.result == .known(.temperror))
    }

    @Test func repeatedQuirksFoldIntoOneDiagnosticWithACount() throws {
        let records = String(
            repeating:
                "<record><row><source_ip>192.0.2.9</source_ip><count>1</count><policy_evaluated><disposition>none</disposition><dkim>Pass</dkim><spf>pass</spf></policy_evaluated></row><identifiers><header_from>example.com</header_from></identifiers><auth_results/></record>",
            count: 500)
        let xml = minimalReport().replacingOccurrences(of: "</feedback>", with: records + "</feedback>")
        let report = try parse(xml)
        let folded = report.diagnostics.filter { $0.code == .enumCase }
        #expect(folded.count == 1)
        #expect(folded.first?.occurrences == 500)
    }

    @Test func valuesRepeatedAcrossRecordsReadTheSameAsWhenSeenFirstAndRepairsCountEachTime() throws {
        // The parser remembers the last text of each repeated element; alternating, repaired and plain
        // values must come out exactly as they would alone, and every repair keeps its diagnostic.
        let values: [(headerFrom: String, selector: String, result: String, count: String)] = [
            ("Example.COM", "s1", "pass", "12"), ("Example.COM", "s2", "PASS", "0012"),
            ("example.com", "s1", "PASS", "3.0"), ("example.org.", "s1", "fail", " 7 "),
            ("example.com", "s2", "pass", "12"),
        ]
        let records = values.map { value in
            "<record><row><source_ip>192.0.2.9</source_ip><count>\(value.count)</count><policy_evaluated>"
                + "<disposition>none</disposition><dkim>pass</dkim><spf>pass</spf></policy_evaluated></row>"
                + "<identifiers><header_from>\(value.headerFrom)</header_from></identifiers><auth_results><dkim>"
                + "<domain>example.com</domain><selector>\(value.selector)</selector><result>\(value.result)</result>"
                + "</dkim></auth_results></record>"
        }
        let xml = minimalReport().replacingOccurrences(of: "</feedback>", with: records.joined() + "</feedback>")
        let report = try parse(xml)
        let read = report.records.dropFirst()  // after the minimal report's own record
        #expect(read.map(\.headerFrom) == ["example.com", "example.com", "example.com", "example.org", "example.com"])
        #expect(read.map { $0.dkimResults.first?.selector } == ["s1", "s2", "s1", "s1", "s2"])
        #expect(
            read.map { $0.dkimResults.first?.result }
                == [.known(.pass), .known(.pass), .known(.pass), .known(.fail), .known(.pass)])
        #expect(read.map(\.count) == [12, 12, 3, 7, 12])
        func occurrences(_ message: String) -> Int? {
            report.diagnostics.first { $0.message == message }?.occurrences
        }
        #expect(occurrences("upper-case letters in <header_from> lower-cased") == 2)
        #expect(occurrences("trailing dot removed from <header_from>") == 1)
        #expect(occurrences("<dkim/result> 'PASS' read as 'pass'") == 2)
        #expect(occurrences("<count> '3.0' read as 3") == 1)
    }

    @Test func windows1252IsDecoded() throws {
        let report = try parseSample("quirks/windows-1252.xml")
        #expect(report.header.metadata.orgName == "Bücher–Post ™")
        #expect(report.diagnostics.contains { $0.code == .declaredEncoding })
    }

    @Test func byteOrderMarkAndBlankLinesBeforeTheDeclarationAreSkipped() throws {
        let report = try parseSample("quirks/bom-and-leading-space.xml")
        #expect(!report.header.recovered)
        #expect(report.records.count == 4)
        #expect(report.diagnostics.map(\.code) == [.byteOrderMark])
    }

    @Test func unclosedSchemaWrapperIsRecovered() throws {
        let report = try parseSample("quirks/unclosed-schema-wrapper.xml")
        #expect(report.header.recovered)
        #expect(report.header.metadata.reportID == "wrapper-1")
        #expect(report.records.count == 2)
        #expect(report.diagnostics.contains { $0.code == .schemaWrapper })
        #expect(report.diagnostics.contains { $0.code == .recoveredXML })
    }

    @Test func strayAngleBracketIsRecoveredWithEveryRecord() throws {
        let report = try parseSample("quirks/stray-angle-bracket.xml")
        #expect(report.header.recovered)
        #expect(report.header.metadata.reportID == "stray-lt-1")
        #expect(report.header.metadata.begin == 1_764_547_200)
        #expect(report.header.policy.domain == "example.com")
        #expect(report.records.map(\.count) == [411, 3])
    }

    @Test func invalidUTF8IsRecovered() throws {
        let report = try parseSample("quirks/invalid-utf-8.xml")
        #expect(report.header.recovered)
        #expect(report.records.map(\.count) == [58, 9])
    }

    @Test func missingDateRangeIsTakenFromTheFileNameConvention() throws {
        let report = try parseSample("quirks/receiver.example!example.net!1764547200!1764633599.xml")
        #expect(report.header.metadata.begin == 1_764_547_200)
        #expect(report.header.metadata.end == 1_764_633_599)
        #expect(report.diagnostics.contains { $0.code == .dateFromFileName })
    }

    @Test func nonCanonicalIPv6IsNormalised() throws {
        let xml = minimalReport().replacingOccurrences(of: "192.0.2.1", with: "2001:DB8:0:0:0:0:0:1")
        #expect(try parse(xml).records[0].sourceIP == "2001:db8::1")
    }

    @Test func sourceThatIsNotAnAddressIsKeptVerbatim() throws {
        let xml = minimalReport().replacingOccurrences(of: "192.0.2.1", with: "mail.example.com")
        let report = try parse(xml)
        #expect(report.records[0].sourceIP == "mail.example.com")
        #expect(report.diagnostics.contains { $0.code == .invalidIP })
    }
}

extension String {
    func replacingOccurrences(of target: String, with replacement: String) -> String {
        split(separator: target, omittingEmptySubsequences: false).joined(separator: replacement)
    }
}
