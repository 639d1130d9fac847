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
/// push parser in constant memory: records go to `recordHandler` as soon as each `</record>` is read.
///
/// A pure function of its input: no I/O, no clock. Feed bytes with ``feed(_:)``, then call ``finish()``.
/// The handler may see records of a report that ``finish()`` then rejects, so a caller that stores
/// records must do so inside a transaction it can roll back.
public final class AggregateReportParser: SAXDelegate {
    private var sax: SAXPushParser?
    private let fileName: ReportFileName?
    private let recordHandler: (ReportRecord) throws -> Void

    /// Open elements as the parser understands them, each with its depth in libxml2's element stack.
    private var stack: [Frame] = []
    /// How many elements libxml2 has open.
    private var xmlDepth = 0
    /// The last bytes of the document, to tell a truncated document from a complete one.
    private var tail: [UInt8] = []
    private var started = false
    private var leadingSkipped = 0
    private var names = ElementNameCache()
    /// Qualified names of the open captured elements, to write their end tags.
    private var captureNames: [String] = []
    private var text: [UInt8] = []
    private var textTruncated = false
    private var header = AggregateReportHeader()
    private var record = ReportRecord()
    private var inRecord = false
    private var rawCount: String?
    private var rawSourceIP: String?
    private var rawBegin: String?
    private var rawEnd: String?
    private var policySeen = false
    private var feedbackOpened = false
    private var feedbackClosed = false
    private var capture: [UInt8] = []
    private var captureDepth = 0
    private var recordCount = 0
    private var messageCount: Int64 = 0
    private var diagnostics = DiagnosticCollector()
    private var xmlErrors: [String] = []
    private var failure: DMARCParseError?
    private var handlerError: (any Error)?

    /// Longest text kept for one element; longer text is cut, with a diagnostic.
    static let maxTextLength = 64 * 1024
    /// Longest verbatim extension kept; longer ones are cut, with a diagnostic.
    static let maxCaptureLength = 256 * 1024

    /// - Parameters:
    ///   - fileName: the payload's file or member name, used as a second source for a missing date
    ///     range when it follows the `receiver!domain!begin!end` convention.
    ///   - recordHandler: called with each record; an error it throws stops parsing and is rethrown.
    public init(fileName: String? = nil, recordHandler: @escaping (ReportRecord) throws -> Void) {
        self.fileName = fileName.flatMap(ReportFileName.init)
        self.recordHandler = recordHandler
        self.sax = nil
        self.sax = SAXPushParser(delegate: self, recover: true)
        stack.reserveCapacity(16)
    }

    /// Parses the next chunk of the document.
    /// - Returns: `false` once the outcome is decided (the report is rejected); feed no more.
    /// - Throws: what the record handler threw.
    @discardableResult
    public func feed(_ bytes: UnsafeRawBufferPointer) throws -> Bool {
        guard failure == nil, handlerError == nil else { return false }
        var bytes = bytes
        if !started {
            // A byte-order mark and blank lines before the XML declaration are common and harmless,
            // but libxml2 rejects a declaration that is not at the very start.
            var skip = 0
            while skip < bytes.count, [0x20, 0x09, 0x0A, 0x0D, 0xEF, 0xBB, 0xBF].contains(bytes[skip]) { skip += 1 }
            if skip > 0 {
                leadingSkipped += skip
                bytes = UnsafeRawBufferPointer(rebasing: bytes[skip...])
            }
            guard !bytes.isEmpty else { return true }
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
        sax?.feed(bytes)
        if let handlerError { throw handlerError }
        return failure == nil
    }

    /// Ends the document and checks that it holds a usable report.
    /// - Throws: ``DMARCParseError`` when the payload is not a usable report; what the record handler threw.
    public func finish() throws -> ParsedReport {
        if failure == nil && handlerError == nil { sax?.finish() }
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
        try completeHeader()
        return ParsedReport(
            header: header, recordCount: recordCount, messageCount: messageCount, diagnostics: diagnostics.diagnostics)
    }

    // MARK: - Report-level checks

    private func completeHeader() throws {
        if header.metadata.reportID == nil {
            throw DMARCParseError(.missingField, "report_metadata/report_id is missing")
        }
        if header.policy.domain == nil {
            guard let fileName else { throw DMARCParseError(.missingField, "policy_published/domain is missing") }
            header.policy.domain = fileName.policyDomain
            diagnostics.add(.dateFromFileName, .warning, "policy_published/domain missing; taken from the file name")
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

    private func timestamp(_ raw: String?, element: String, fallback: Int64?) throws -> Int64 {
        let problem: String
        if let raw {
            do {
                return try Normalization.integer(raw, element: element, into: &diagnostics)
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

    private static let tailLength = 64

    /// Whether the document's last non-blank bytes are a `</feedback>` (or `</prefix:feedback>`) end tag.
    private var endsWithFeedbackEndTag: Bool {
        var bytes = tail[...]
        while let last = bytes.last, [0x20, 0x09, 0x0A, 0x0D, 0x00].contains(last) { bytes = bytes.dropLast() }
        guard let close = bytes.lastIndex(of: UInt8(ascii: "<")), bytes.index(after: close) < bytes.endIndex,
            bytes[bytes.index(after: close)] == UInt8(ascii: "/")
        else { return false }
        let name = String(decoding: bytes[(close + 2)...], as: UTF8.self)
        return name == "feedback>" || name.hasSuffix(":feedback>")
    }

    private func fail(_ error: DMARCParseError) {
        guard failure == nil else { return }
        failure = error
        sax?.stop()
    }

    // MARK: - SAX events

    private func name(_ localName: UnsafePointer<UInt8>) -> ElementName? {
        names.lookup(localName)
    }

    func startElement(
        localName: UnsafePointer<UInt8>, prefix: UnsafePointer<UInt8>?, namespace: UnsafePointer<UInt8>?,
        attributes: SAXAttributes
    ) {
        xmlDepth += 1
        let element = name(localName)
        if let element, !xmlErrors.isEmpty, let parent = stack.last?.context, !Self.accepts(element, in: parent) {
            resynchronize(for: element)
        }
        let parent = stack.last?.context ?? .document
        let child: ParseContext
        switch parent {
        case .capture:
            appendStartTag(localName, prefix: prefix, attributes: attributes)
            child = .capture(depth: 0)
        case .skip, .ignoredPolicy:
            child = .skip(depth: 0)
        case .leaf(let leaf):
            diagnostics.add(
                .unknownElement, .warning, "element <\(String(cString: localName))> inside <\(leaf.rawValue)> ignored")
            child = .skip(depth: 0)
        case .document, .wrapper:
            if element == .feedback {
                feedbackOpened = true
                header.namespace = namespace.map { String(cString: $0) }
                child = .feedback
            } else if parent == .document && element == .schema {
                diagnostics.add(.schemaWrapper, .warning, "<feedback> is wrapped in an <xs:schema> element")
                child = .wrapper
            } else if parent == .wrapper {
                child = .skip(depth: 0)
            } else {
                fail(
                    DMARCParseError(
                        .notAggregateReport,
                        "root element is <\(String(cString: localName))>, not <feedback>: not a DMARC aggregate report")
                )
                return
            }
        default:
            child = context(for: element, in: parent, localName: localName, prefix: prefix, attributes: attributes)
        }
        if case .leaf = child {
            text.removeAll(keepingCapacity: true)
            textTruncated = false
        }
        if case .capture = child { captureNames.append(qualifiedName(localName, prefix: prefix)) }
        stack.append(Frame(context: child, depth: xmlDepth))
    }

    /// After a well-formedness error libxml2's recovery can leave an element open that the document
    /// closed (it ends the wrong element on a mismatched end tag). When a known element then appears
    /// where it cannot belong, close open elements up to the nearest one that can hold it.
    private func resynchronize(for element: ElementName) {
        guard let target = stack.lastIndex(where: { Self.accepts(element, in: $0.context) }) else { return }
        while stack.count > target + 1, let frame = stack.popLast() {
            close(frame, localName: nil, prefix: nil)
        }
    }

    /// Whether `element` has a meaning directly inside `parent`.
    static func accepts(_ element: ElementName, in parent: ParseContext) -> Bool {
        switch (parent, element) {
        case (.document, .feedback), (.wrapper, .feedback): true
        case (.feedback, .version), (.feedback, .reportMetadata), (.feedback, .policyPublished), (.feedback, .record):
            true
        case (.metadata, .orgName), (.metadata, .email), (.metadata, .extraContactInfo), (.metadata, .reportID),
            (.metadata, .error), (.metadata, .generator), (.metadata, .dateRange):
            true
        case (.dateRange, .begin), (.dateRange, .end): true
        case (.policy, .domain), (.policy, .adkim), (.policy, .aspf), (.policy, .p), (.policy, .sp), (.policy, .np),
            (.policy, .pct), (.policy, .fo), (.policy, .testing), (.policy, .discoveryMethod):
            true
        case (.record, .row), (.record, .identifiers), (.record, .identities), (.record, .authResults): true
        case (.row, .sourceIP), (.row, .count), (.row, .policyEvaluated): true
        case (.policyEvaluated, .disposition), (.policyEvaluated, .dkim), (.policyEvaluated, .spf),
            (.policyEvaluated, .reason):
            true
        case (.reason, .type), (.reason, .comment): true
        case (.identifiers, .envelopeTo), (.identifiers, .envelopeFrom), (.identifiers, .headerFrom): true
        case (.authResults, .dkim), (.authResults, .spf): true
        case (.dkim, .domain), (.dkim, .selector), (.dkim, .result), (.dkim, .humanResult): true
        case (.spf, .domain), (.spf, .scope), (.spf, .result), (.spf, .humanResult): true
        default: false
        }
    }

    /// The meaning of `element` inside a known container: a container of its own, a leaf whose text is
    /// read, or (for anything else) an extension kept verbatim.
    private func context(
        for element: ElementName?, in parent: ParseContext, localName: UnsafePointer<UInt8>,
        prefix: UnsafePointer<UInt8>?, attributes: SAXAttributes
    ) -> ParseContext {
        guard let element, Self.accepts(element, in: parent) else {
            let qualified = qualifiedName(localName, prefix: prefix)
            let isExtension = element == .extension || prefix != nil
            diagnostics.add(
                .unknownElement, isExtension ? .note : .warning,
                "<\(qualified)> in <\(Self.label(parent))> kept verbatim as an extension")
            capture.removeAll(keepingCapacity: true)
            captureDepth = stack.count
            appendStartTag(localName, prefix: prefix, attributes: attributes)
            return .capture(depth: 0)
        }
        switch (parent, element) {
        case (.feedback, .reportMetadata): return .metadata
        case (.feedback, .policyPublished):
            if policySeen {
                diagnostics.add(.duplicateElement, .warning, "second <policy_published> ignored; the first one is used")
                return .ignoredPolicy
            }
            policySeen = true
            return .policy
        case (.feedback, .record):
            record = ReportRecord()
            rawCount = nil
            rawSourceIP = nil
            inRecord = true
            return .record
        case (.metadata, .dateRange): return .dateRange
        case (.record, .row): return .row
        case (.record, .identifiers): return .identifiers
        case (.record, .identities):
            diagnostics.add(.enumAlias, .warning, "<identities> read as <identifiers>")
            return .identifiers
        case (.record, .authResults): return .authResults
        case (.row, .policyEvaluated): return .policyEvaluated
        case (.policyEvaluated, .reason):
            guard record.reasons.count < ReportRecord.maxResultsPerKind else { return tooMany("reason") }
            record.reasons.append(OverrideReason())
            return .reason
        case (.authResults, .dkim):
            guard record.dkimResults.count < ReportRecord.maxResultsPerKind else { return tooMany("dkim") }
            record.dkimResults.append(DKIMAuthResult())
            return .dkim
        case (.authResults, .spf):
            guard record.spfResults.count < ReportRecord.maxResultsPerKind else { return tooMany("spf") }
            record.spfResults.append(SPFAuthResult())
            return .spf
        default:
            return .leaf(element)
        }
    }

    /// Skips one more result of a kind a record already has the most of.
    private func tooMany(_ element: String) -> ParseContext {
        diagnostics.add(
            .unknownValue, .warning,
            "record has more than \(ReportRecord.maxResultsPerKind) <\(element)> elements; the rest were not kept")
        return .skip(depth: 0)
    }

    func endElement(localName: UnsafePointer<UInt8>, prefix: UnsafePointer<UInt8>?) {
        let closing = xmlDepth
        xmlDepth -= 1
        // An element already closed by resynchronisation: libxml2 ends it late; nothing to do.
        guard let top = stack.last, top.depth == closing else { return }
        stack.removeLast()
        close(top, localName: localName, prefix: prefix)
    }

    /// Completes an element: assigns a leaf's text, hands on a finished record, ends a capture.
    private func close(_ frame: Frame, localName: UnsafePointer<UInt8>?, prefix: UnsafePointer<UInt8>?) {
        switch frame.context {
        case .leaf(let element):
            assign(element, in: stack.last?.context ?? .document)
        case .capture:
            if let name = captureNames.popLast() { appendCapture(Array("</\(name)>".utf8)) }
            if stack.count == captureDepth { finishCapture() }
        case .record:
            finishRecord()
        case .feedback:
            feedbackClosed = true
        default:
            break
        }
    }

    func characters(_ bytes: UnsafeBufferPointer<UInt8>) {
        switch stack.last?.context {
        case .leaf(let element)?:
            if text.count + bytes.count <= Self.maxTextLength {
                text.append(contentsOf: bytes)
            } else if !textTruncated {
                textTruncated = true
                text.append(contentsOf: bytes.prefix(max(0, Self.maxTextLength - text.count)))
                diagnostics.add(
                    .unknownValue, .warning,
                    "text of <\(element.rawValue)> longer than \(Self.maxTextLength) bytes was cut")
            }
        case .capture?:
            appendEscaped(bytes)
        default:
            break
        }
    }

    func documentTypeDeclaration(name: String) {
        fail(
            DMARCParseError(
                .forbiddenContent,
                "document has a <!DOCTYPE> declaration; aggregate reports never do, and DTDs and entities are "
                    + "refused (XXE and entity-expansion attacks)"))
    }

    func parseError(_ message: String, line: Int, fatal: Bool) {
        if xmlErrors.count < 20 { xmlErrors.append("line \(line): \(message)") }
    }

    // MARK: - Values

    private func assign(_ element: ElementName, in parent: ParseContext) {
        let raw = Self.trimmedString(text)
        let name = element.rawValue
        switch (parent, element) {
        case (.feedback, .version): header.version = Normalization.text(raw, element: name, into: &diagnostics)
        case (.metadata, .orgName): header.metadata.orgName = Normalization.text(raw, element: name, into: &diagnostics)
        case (.metadata, .email): header.metadata.email = Normalization.text(raw, element: name, into: &diagnostics)
        case (.metadata, .extraContactInfo):
            header.metadata.extraContactInfo = Normalization.text(raw, element: name, into: &diagnostics)
        case (.metadata, .reportID):
            if header.metadata.reportID != nil {
                diagnostics.add(.duplicateElement, .warning, "second <report_id> ignored")
            } else {
                header.metadata.reportID = Normalization.text(raw, element: name, into: &diagnostics)
            }
        case (.metadata, .error):
            if let value = Normalization.text(raw, element: name, into: &diagnostics) {
                header.metadata.errors.append(value)
            }
        case (.metadata, .generator):
            header.metadata.generator = Normalization.text(raw, element: name, into: &diagnostics)
        case (.dateRange, .begin): rawBegin = raw
        case (.dateRange, .end): rawEnd = raw
        case (.policy, _): assignPolicy(element, raw)
        case (.row, .sourceIP): rawSourceIP = raw
        case (.row, .count): rawCount = raw
        case (.policyEvaluated, .disposition):
            record.disposition = Normalization.word(raw, element: name, into: &diagnostics)
        case (.policyEvaluated, .dkim):
            record.dkim = Normalization.word(raw, element: "policy_evaluated/dkim", into: &diagnostics)
        case (.policyEvaluated, .spf):
            record.spf = Normalization.word(raw, element: "policy_evaluated/spf", into: &diagnostics)
        case (.reason, .type):
            record.reasons[record.reasons.count - 1].type = Normalization.word(
                raw, element: "reason/type", into: &diagnostics)
        case (.reason, .comment):
            record.reasons[record.reasons.count - 1].comment = Normalization.text(
                raw, element: "reason/comment", into: &diagnostics)
        case (.identifiers, .envelopeTo):
            record.envelopeTo = Normalization.domain(raw, element: name, into: &diagnostics)
        case (.identifiers, .envelopeFrom):
            record.envelopeFrom = Normalization.domain(raw, element: name, into: &diagnostics)
        case (.identifiers, .headerFrom):
            record.headerFrom = Normalization.domain(raw, element: name, into: &diagnostics)
        case (.dkim, _): assignDKIM(element, raw)
        case (.spf, _): assignSPF(element, raw)
        default: break
        }
    }

    private func assignPolicy(_ element: ElementName, _ raw: String) {
        let name = element.rawValue
        switch element {
        case .domain:
            header.policy.domain = Normalization.domain(raw, element: "policy_published/domain", into: &diagnostics)
        case .adkim:
            header.policy.adkim = Normalization.word(
                raw, element: name, aliases: Normalization.alignmentAliases, into: &diagnostics)
        case .aspf:
            header.policy.aspf = Normalization.word(
                raw, element: name, aliases: Normalization.alignmentAliases, into: &diagnostics)
        case .p: header.policy.p = Normalization.word(raw, element: name, into: &diagnostics)
        case .sp: header.policy.sp = Normalization.word(raw, element: name, into: &diagnostics)
        case .np: header.policy.np = Normalization.word(raw, element: name, into: &diagnostics)
        case .pct:
            guard Normalization.text(raw, element: name, into: &diagnostics) != nil else { return }
            if let value = try? Normalization.integer(raw, element: name, into: &diagnostics), (0...100).contains(value)
            {
                header.policy.pct = Int(value)
            } else {
                diagnostics.add(
                    .unknownValue, .warning, "<pct> '\(Normalization.trim(raw))' is not a percentage; ignored")
            }
        case .fo: header.policy.fo = Normalization.text(raw, element: name, into: &diagnostics)
        case .testing:
            header.policy.testing = Normalization.word(
                raw, element: name, aliases: Normalization.testingAliases, into: &diagnostics)
        case .discoveryMethod:
            header.policy.discoveryMethod = Normalization.word(raw, element: name, into: &diagnostics)
        default: break
        }
    }

    private func assignDKIM(_ element: ElementName, _ raw: String) {
        let index = record.dkimResults.count - 1
        switch element {
        case .domain:
            record.dkimResults[index].domain = Normalization.domain(raw, element: "dkim/domain", into: &diagnostics)
        case .selector:
            record.dkimResults[index].selector = Normalization.text(raw, element: "dkim/selector", into: &diagnostics)
        case .result:
            record.dkimResults[index].result = Normalization.word(
                raw, element: "dkim/result", aliases: Normalization.dkimAliases, into: &diagnostics)
        case .humanResult:
            record.dkimResults[index].humanResult = Normalization.text(
                raw, element: "dkim/human_result", into: &diagnostics)
        default: break
        }
    }

    private func assignSPF(_ element: ElementName, _ raw: String) {
        let index = record.spfResults.count - 1
        switch element {
        case .domain:
            record.spfResults[index].domain = Normalization.domain(raw, element: "spf/domain", into: &diagnostics)
        case .scope:
            record.spfResults[index].scope = Normalization.word(
                raw, element: "spf/scope", aliases: Normalization.scopeAliases, into: &diagnostics)
        case .result:
            record.spfResults[index].result = Normalization.word(
                raw, element: "spf/result", aliases: Normalization.spfAliases, into: &diagnostics)
        case .humanResult:
            record.spfResults[index].humanResult = Normalization.text(
                raw, element: "spf/human_result", into: &diagnostics)
        default: break
        }
    }

    private func finishRecord() {
        inRecord = false
        let number = recordCount + 1
        guard let rawCount else {
            fail(DMARCParseError(.missingField, "record \(number): <count> is missing"))
            return
        }
        let count: Int64
        do {
            count = try Normalization.integer(rawCount, element: "count", into: &diagnostics)
        } catch {
            fail(
                DMARCParseError(
                    .invalidValue, "record \(number): <count> '\(Normalization.trim(rawCount))' is not a number"))
            return
        }
        guard count >= 0 else {
            fail(DMARCParseError(.invalidValue, "record \(number): <count> is negative (\(count))"))
            return
        }
        let (total, overflow) = messageCount.addingReportingOverflow(count)
        guard !overflow else {
            fail(DMARCParseError(.invalidValue, "record \(number): message counts add up beyond 2^63"))
            return
        }
        record.count = count
        let ip = rawSourceIP ?? ""
        if ip.isEmpty {
            diagnostics.add(.invalidIP, .warning, "record without <source_ip>")
        } else if let canonical = Normalization.canonicalIP(ip) {
            record.sourceIP = canonical
        } else {
            record.sourceIP = ip
            diagnostics.add(.invalidIP, .warning, "<source_ip> '\(ip)' is not an IP address; kept verbatim")
        }
        if record.dkim == nil || record.spf == nil {
            diagnostics.add(.missingElement, .warning, "policy_evaluated lacks <dkim> or <spf>; counted as not aligned")
        }
        recordCount = number
        messageCount = total
        do {
            try recordHandler(record)
        } catch {
            handlerError = error
            sax?.stop()
        }
    }

    /// The text with ASCII white space trimmed at both ends, decoded as UTF-8.
    private static func trimmedString(_ bytes: [UInt8]) -> String {
        bytes.withUnsafeBufferPointer { String(decoding: trimmed($0), as: UTF8.self) }
    }

    /// The bytes without ASCII white space at either end.
    private static func trimmed(_ bytes: UnsafeBufferPointer<UInt8>) -> UnsafeBufferPointer<UInt8> {
        func isSpace(_ byte: UInt8) -> Bool { byte == 0x20 || byte == 0x0A || byte == 0x0D || byte == 0x09 }
        var start = 0
        var end = bytes.count
        while start < end, isSpace(bytes[start]) { start += 1 }
        while end > start, isSpace(bytes[end - 1]) { end -= 1 }
        return UnsafeBufferPointer(rebasing: bytes[start..<end])
    }

    // MARK: - Verbatim capture of extensions

    private func finishCapture() {
        let xml = String(decoding: capture, as: UTF8.self)
        if inRecord { record.extensions.append(xml) } else { header.extensions.append(xml) }
        capture.removeAll(keepingCapacity: false)
    }

    private func appendStartTag(
        _ localName: UnsafePointer<UInt8>, prefix: UnsafePointer<UInt8>?, attributes: SAXAttributes
    ) {
        var tag = "<" + qualifiedName(localName, prefix: prefix)
        for index in 0..<attributes.count {
            let (name, value) = attributes.attribute(index)
            // libxml2 hands over attribute values with '&' kept as the character reference "&#38;".
            let decoded = value.split(separator: "&#38;", omittingEmptySubsequences: false).joined(separator: "&")
            tag += " \(name)=\"\(Self.escape(decoded, quotes: true))\""
        }
        appendCapture(Array((tag + ">").utf8))
    }

    private func appendEscaped(_ bytes: UnsafeBufferPointer<UInt8>) {
        appendCapture(Array(Self.escape(String(decoding: bytes, as: UTF8.self), quotes: false).utf8))
    }

    private func appendCapture(_ bytes: [UInt8]) {
        guard capture.count < Self.maxCaptureLength else { return }
        capture.append(contentsOf: bytes.prefix(Self.maxCaptureLength - capture.count))
        if capture.count >= Self.maxCaptureLength {
            diagnostics.add(.unknownValue, .warning, "extension longer than \(Self.maxCaptureLength) bytes was cut")
        }
    }

    private func qualifiedName(_ localName: UnsafePointer<UInt8>, prefix: UnsafePointer<UInt8>?) -> String {
        let local = String(cString: localName)
        return prefix.map { "\(String(cString: $0)):\(local)" } ?? local
    }

    private static func escape(_ text: String, quotes: Bool) -> String {
        var out = ""
        for character in text {
            switch character {
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "&": out += "&amp;"
            case "\"" where quotes: out += "&quot;"
            default: out.append(character)
            }
        }
        return out
    }

    private static func label(_ context: ParseContext) -> String {
        switch context {
        case .feedback: "feedback"
        case .metadata: "report_metadata"
        case .dateRange: "date_range"
        case .policy: "policy_published"
        case .record: "record"
        case .row: "row"
        case .policyEvaluated: "policy_evaluated"
        case .reason: "reason"
        case .identifiers: "identifiers"
        case .authResults: "auth_results"
        case .dkim: "dkim"
        case .spf: "spf"
        default: "document"
        }
    }
}
