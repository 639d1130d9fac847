import DMARCParser
import ReportModel
import ReportTestSupport
import Testing

@Suite struct RejectionTests {
    func rejection(_ xml: String, fileName: String? = nil) -> DMARCParseError? {
        parseRejection(xml, fileName: fileName)
    }

    func sampleRejection(_ name: String) -> DMARCParseError? {
        do {
            _ = try parseSample(name)
            return nil
        } catch {
            return error as? DMARCParseError
        }
    }

    @Test func wellFormedXMLThatIsNotAReportIsRejected() {
        let error = sampleRejection("invalid/non-dmarc-root.xml")
        #expect(error?.code == .notAggregateReport)
        #expect(error?.message == "root element is <root>, not <feedback>: not a DMARC aggregate report")
    }

    @Test func truncatedDocumentIsRejectedNotRecovered() {
        #expect(sampleRejection("invalid/truncated.xml")?.code == .incomplete)
    }

    @Test func countThatIsNotANumberRejectsTheReport() {
        let error = sampleRejection("invalid/count-not-a-number.xml")
        #expect(error?.code == .invalidValue)
        #expect(error?.message == "record 1: <count> 'many' is not a number")
    }

    @Test func negativeCountRejectsTheReport() {
        #expect(rejection(minimalReport(count: "<count>-3</count>"))?.message == "record 1: <count> is negative (-3)")
    }

    @Test func missingCountRejectsTheReport() {
        #expect(rejection(minimalReport(count: ""))?.code == .missingField)
    }

    @Test func missingReportIDRejectsTheReport() {
        #expect(rejection(minimalReport(reportID: ""))?.message == "report_metadata/report_id is missing")
    }

    @Test func missingDateRangeWithoutAFileNameRejectsTheReport() {
        let error = rejection(minimalReport(dateRange: ""), fileName: "report.xml")
        #expect(error?.message == "date_range/begin is missing")
    }

    @Test func nonNumericDateRangeRejectsTheReport() {
        let error = rejection(minimalReport(dateRange: "<date_range><begin>soon</begin><end>1</end></date_range>"))
        #expect(error?.message == "date_range/begin 'soon' is not a number")
    }

    @Test func emptyDocumentIsNotWellFormed() {
        #expect(rejection("<?xml version=\"1.0\"?>")?.code == .notWellFormed)
    }

    @Test(arguments: ["invalid/xxe-file.xml", "invalid/external-dtd.xml", "invalid/billion-laughs.xml"])
    func documentsWithADTDAreRefused(_ sample: String) {
        let error = sampleRejection(sample)
        #expect(error?.code == .forbiddenContent)
    }

    @Test func externalEntitiesAreNeverRead() throws {
        // Even without the refusal, nothing of the file may reach a value: the parser registers no entities.
        var records: [ReportRecord] = []
        let parser = AggregateReportParser(fileName: nil) { records.append($0) }
        try SampleReports.bytes("invalid/xxe-file.xml").withUnsafeBytes { _ = try parser.feed($0) }
        #expect(throws: DMARCParseError.self) { try parser.finish() }
        #expect(records.isEmpty)
    }

    /// Refused at its `<!DOCTYPE>`, before any entity is declared, let alone expanded (its time is in
    /// `Scripts/bench memory`).
    @Test func billionLaughsIsRefusedAtItsDoctype() throws {
        let error = sampleRejection("invalid/billion-laughs.xml")
        #expect(error?.code == .forbiddenContent)
        #expect(error?.message.hasPrefix("document has a <!DOCTYPE> declaration") == true)
    }

    @Test func aRecordHandlerErrorStopsParsingAndIsRethrown() throws {
        struct Stop: Error {}
        let parser = AggregateReportParser(fileName: nil) { _ in throw Stop() }
        #expect(throws: Stop.self) {
            try Array(minimalReport().utf8).withUnsafeBytes { _ = try parser.feed($0) }
        }
    }
}
