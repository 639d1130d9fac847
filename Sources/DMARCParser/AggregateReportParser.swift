import CLibXML2
import ReportModel

/// What the parser knows once a whole report has streamed through it.
public struct ParsedReport: Sendable, Equatable {
    public var header: AggregateReportHeader
    /// Number of `<record>` elements.
    public var recordCount: Int
    /// Sum of the records' `<count>`.
    public var messageCount: Int64
    public var diagnostics: [Diagnostic]
}

/// Streams one DMARC aggregate report (RFC 7489 or RFC 9990, any namespace) through libxml2's SAX2
/// parser in constant memory: records go to `recordHandler` as soon as each `</record>` is read.
///
/// A pure function of its input: no I/O, no clock. Feed bytes with ``feed(_:)``, then call ``finish()``;
/// or hand over a whole document to be read with ``parse(reading:)``.
/// The handler may see records of a report that ``finish()`` then rejects, so a caller that stores
/// records must do so inside a transaction it can roll back.
public final class AggregateReportParser {
    var sax: SAXParser?
    /// Refuses start tags with absurd numbers of attributes before libxml2 sees them.
    var markupGuard = MarkupGuard()
    let fileName: ReportFileName?
    let recordHandler: (consuming ReportRecord) throws -> Void

    /// Open elements as the parser understands them, each with its depth in libxml2's element stack.
    var stack: [Frame] = []
    /// How many elements libxml2 has open.
    var xmlDepth = 0
    /// The last bytes of the document, to tell a truncated document from a complete one.
    var tail: [UInt8] = []
    var started = false
    var leadingSkipped = 0
    var names = ElementNameCache()
    /// Qualified names of the open captured elements, to write their end tags.
    var captureNames: [String] = []
    var text = LeafText(capacity: AggregateReportParser.maxTextLength)
    var header = AggregateReportHeader()
    var record = ReportRecord()
    var inRecord = false
    /// `<count>` read as a plain number, else its text (read leniently when the record ends).
    var count: Int64?
    var rawCount: String?
    var rawSourceIP: String?
    var rawBegin: String?
    var rawEnd: String?
    var policySeen = false
    var feedbackOpened = false
    var feedbackClosed = false
    var capture: [UInt8] = []
    var captureDepth = 0
    var recordCount = 0
    var messageCount: Int64 = 0
    var diagnostics = DiagnosticCollector()
    /// The values each record repeats, remembered (see ``TextMemo``).
    var memos = RecordMemos()
    var xmlErrors: [String] = []
    var failure: DMARCParseError?
    var handlerError: (any Error)?

    /// Longest text kept for one element; longer text is cut, with a diagnostic.
    static let maxTextLength = 64 * 1024
    /// Longest verbatim extension kept; longer ones are cut, with a diagnostic.
    static let maxCaptureLength = 256 * 1024

    /// - Parameters:
    ///   - fileName: the payload's file or member name, used as a second source for a missing date
    ///     range when it follows the `receiver!domain!begin!end` convention.
    ///   - recordHandler: called with each record; an error it throws stops parsing and is rethrown.
    public init(fileName: String? = nil, recordHandler: @escaping (consuming ReportRecord) throws -> Void) {
        self.fileName = fileName.flatMap(ReportFileName.init)
        self.recordHandler = recordHandler
        self.sax = nil
        self.sax = SAXParser(delegate: self, recover: true)
        stack.reserveCapacity(16)
    }

    deinit {
        text.deallocate()
    }

    /// Parses the next chunk of the document.
    /// - Returns: `false` once the outcome is decided (the report is rejected); feed no more.
    /// - Throws: what the record handler threw.
    @discardableResult
    public func feed(_ bytes: UnsafeRawBufferPointer) throws -> Bool {
        guard failure == nil, handlerError == nil else { return false }
        let bytes = accept(bytes)
        guard !bytes.isEmpty else { return true }
        guard markupGuard.scan(bytes) else {
            fail(Self.tooManyAttributes)
            return false
        }
        sax?.feed(bytes)
        if let handlerError { throw handlerError }
        return failure == nil
    }

    static let tooManyAttributes = DMARCParseError(
        .forbiddenContent,
        "an element has more than \(MarkupGuard.maxAttributes) attributes; aggregate reports carry none beyond "
            + "namespace declarations")

    /// Ends the document and checks that it holds a usable report.
    /// - Throws: ``DMARCParseError`` when the payload is not a usable report; what the record handler threw.
    public func finish() throws -> ParsedReport {
        if failure == nil && handlerError == nil { sax?.finish() }
        return try conclude()
    }

    /// Parses a whole document that libxml2 reads itself, through `read` (which fills the buffer it is
    /// given and returns the number of bytes, 0 at the end): the same outcome as ``feed(_:)`` and
    /// ``finish()``, with less work per element. Use it on a parser that was fed nothing.
    /// - Throws: ``DMARCParseError`` when the payload is not a usable report; what the record handler or
    ///   `read` threw.
    public func parse(reading read: @escaping (UnsafeMutableRawBufferPointer) throws -> Int) throws -> ParsedReport {
        precondition(!started, "parse(reading:) on a parser that was fed")
        let input = PullInput { [unowned self] buffer in
            guard failure == nil, handlerError == nil else { return 0 }
            do {
                // The buffer is filled whole (libxml2 reads an XML declaration from its first buffer).
                var filled = 0
                while filled < buffer.count {
                    let free = UnsafeMutableRawBufferPointer(rebasing: buffer[filled...])
                    let count = try read(free)
                    guard count > 0 else { break }
                    let bytes = accept(UnsafeRawBufferPointer(rebasing: free[0..<count]))
                    guard markupGuard.scan(bytes) else {
                        // Not fail(): stopping libxml2 from inside its own read leaves it reading freed
                        // input. The error return ends the parse.
                        if failure == nil { failure = Self.tooManyAttributes }
                        return -1
                    }
                    guard let start = bytes.baseAddress, let base = free.baseAddress else { continue }
                    if start != UnsafeRawPointer(base) { base.copyMemory(from: start, byteCount: bytes.count) }
                    filled += bytes.count
                }
                return filled
            } catch {
                handlerError = error
                return -1
            }
        }
        sax = SAXParser(delegate: self, recover: true, input: input)
        sax?.parseDocument()
        return try conclude()
    }

    /// The bytes of the document proper: a byte-order mark and blank lines before the XML declaration are
    /// common and harmless, but libxml2 rejects a declaration that is not at the very start, so they are
    /// passed over. The last bytes are kept (see ``endsWithFeedbackEndTag``).
    private func accept(_ bytes: UnsafeRawBufferPointer) -> UnsafeRawBufferPointer {
        var bytes = bytes
        if !started {
            var skip = 0
            while skip < bytes.count, [0x20, 0x09, 0x0A, 0x0D, 0xEF, 0xBB, 0xBF].contains(bytes[skip]) { skip += 1 }
            if skip > 0 {
                leadingSkipped += skip
                bytes = UnsafeRawBufferPointer(rebasing: bytes[skip...])
            }
            guard !bytes.isEmpty else { return bytes }
            started = true
            if leadingSkipped > 0 {
                diagnostics.add(
                    .byteOrderMark, .note,
                    "\(leadingSkipped) bytes of byte-order mark or white space before the document skipped")
            }
        }
        if bytes.count >= Self.tailLength {
            tail = Array(bytes[(bytes.count - Self.tailLength)...])
        } else {
            tail.append(contentsOf: bytes)
            if tail.count > Self.tailLength { tail.removeFirst(tail.count - Self.tailLength) }
        }
        return bytes
    }

    /// The checks once the document has ended.
    private func conclude() throws -> ParsedReport {
        if let handlerError { throw handlerError }
        if let failure { throw failure }
        let wellFormed = sax?.wellFormed ?? false
        let encoding = sax?.declaredEncoding
        sax = nil
        guard feedbackOpened else {
            if let first = xmlErrors.first { throw DMARCParseError(.notWellFormed, "not well-formed XML: \(first)") }
            throw DMARCParseError(.notAggregateReport, "no <feedback> element: not a DMARC aggregate report")
        }
        if !feedbackClosed && !xmlErrors.isEmpty && endsWithFeedbackEndTag {
            // Recovery misplaced an end tag, but the document does end with </feedback>: it is complete.
            feedbackClosed = true
        }
        guard feedbackClosed else {
            let detail = xmlErrors.first.map { ": \($0)" } ?? ""
            throw DMARCParseError(.incomplete, "XML is broken and the report is incomplete (no </feedback>)\(detail)")
        }
        if !wellFormed || !xmlErrors.isEmpty {
            header.recovered = true
            let shown = xmlErrors.prefix(3).joined(separator: "; ")
            diagnostics.add(.recoveredXML, .warning, "XML is not well-formed; report recovered by libxml2: \(shown)")
        }
        if let encoding, !["utf-8", "utf8", "us-ascii"].contains(encoding.lowercased()) {
            diagnostics.add(.declaredEncoding, .note, "document declares encoding \(encoding); converted to UTF-8")
        }
        do {
            try completeHeader()
        } catch var error as DMARCParseError {
            // A missing field in a broken document is most often the breakage's doing: say so.
            if let first = xmlErrors.first { error.message += " (the XML is broken: \(first))" }
            throw error
        }
        return ParsedReport(
            header: header, recordCount: recordCount, messageCount: messageCount, diagnostics: diagnostics.diagnostics)
    }

    // MARK: - Report-level checks

    func completeHeader() throws {
        if header.metadata.reportID == nil {
            throw DMARCParseError(.missingField, "report_metadata/report_id is missing")
        }
        if header.policy.domain == nil {
            guard let fileName else { throw DMARCParseError(.missingField, "policy_published/domain is missing") }
            header.policy.domain = fileName.policyDomain
            diagnostics.add(.dateFromFileName, .warning, "policy_published/domain missing; taken from the file name")
        }
        if let domain = header.policy.domain, !DomainName.isValid(domain) {
            diagnostics.add(
                .invalidDomain, .warning, "policy_published/domain is not a domain name; kept as reported")
        }
        let begin = try timestamp(rawBegin, element: "begin", fallback: fileName?.begin)
        let end = try timestamp(rawEnd, element: "end", fallback: fileName?.end)
        header.metadata.begin = begin
        header.metadata.end = end
        if begin > end {
            diagnostics.add(.oddDateRange, .warning, "date_range begins after it ends (\(begin) > \(end))")
        } else if end - begin > 7 * 86_400 {
            diagnostics.add(.oddDateRange, .note, "date_range spans \((end - begin) / 86_400) days")
        }
        if let fileName, fileName.policyDomain != header.policy.domain || fileName.begin != begin || fileName.end != end
        {
            diagnostics.add(
                .fileNameMismatch, .note, "file name does not match the report's policy domain or date range")
        }
        if header.metadata.orgName == nil {
            diagnostics.add(.missingOrgName, .warning, "report_metadata/org_name is missing or empty")
        }
        if recordCount == 0 {
            diagnostics.add(.missingElement, .warning, "report has no <record>")
        }
    }

    func timestamp(_ raw: String?, element: String, fallback: Int64?) throws -> Int64 {
        let problem: String
        if let raw {
            do {
                let value = try Normalization.integer(raw, element: element, into: &diagnostics)
                guard TimeLimits.contains(value) else {
                    throw DMARCParseError(
                        .invalidValue, "date_range/\(element) \(value) is not a time between 1970 and the end of 9999")
                }
                return value
            } catch let error as DMARCParseError {
                throw error
            } catch {
                problem = "date_range/\(element) '\(raw)' is not a number"
            }
        } else {
            problem = "date_range/\(element) is missing"
        }
        guard let fallback else { throw DMARCParseError(raw == nil ? .missingField : .invalidValue, problem) }
        diagnostics.add(.dateFromFileName, .warning, "\(problem); taken from the file name")
        return fallback
    }

    static let tailLength = 64

    /// Whether the document's last non-blank bytes are a `</feedback>` (or `</prefix:feedback>`) end tag.
    /// The report's end as read so far (`date_range/end`, else the file name's), before ``finish()``
    /// checks it: report metadata precedes the records, so a consumer of records knows when their report
    /// ends while they stream. `nil` while unknown.
    public var reportedEnd: Int64? {
        var scratch = DiagnosticCollector()
        if let rawEnd, let value = try? Normalization.integer(rawEnd, element: "end", into: &scratch),
            TimeLimits.contains(value)
        {
            return value
        }
        return fileName?.end
    }

    var endsWithFeedbackEndTag: Bool {
        var bytes = tail[...]
        while let last = bytes.last, [0x20, 0x09, 0x0A, 0x0D, 0x00].contains(last) { bytes = bytes.dropLast() }
        guard let close = bytes.lastIndex(of: UInt8(ascii: "<")), bytes.index(after: close) < bytes.endIndex,
            bytes[bytes.index(after: close)] == UInt8(ascii: "/")
        else { return false }
        let name = String(decoding: bytes[(close + 2)...], as: UTF8.self)
        return name == "feedback>" || name.hasSuffix(":feedback>")
    }

    func fail(_ error: DMARCParseError) {
        guard failure == nil else { return }
        failure = error
        sax?.stop()
    }
}
