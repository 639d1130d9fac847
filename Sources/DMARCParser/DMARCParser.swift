import ReportModel

/// Parses a whole DMARC aggregate report held in memory. For large inputs use
/// ``AggregateReportParser``, which streams records instead of collecting them.
public struct DMARCParser: Sendable {
    public init() {}

    /// - Parameters:
    ///   - xml: the report document.
    ///   - fileName: the file or member name, a second source for a missing date range.
    /// - Throws: ``DMARCParseError`` when the bytes are not a usable aggregate report.
    public func parse(_ xml: [UInt8], fileName: String? = nil) throws -> AggregateReport {
        var records: [ReportRecord] = []
        let parser = AggregateReportParser(fileName: fileName) { records.append($0) }
        try xml.withUnsafeBytes { _ = try parser.feed($0) }
        let parsed = try parser.finish()
        return AggregateReport(header: parsed.header, records: records, diagnostics: parsed.diagnostics)
    }
}
