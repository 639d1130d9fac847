import CLibXML2
import ReportModel

/// The SAX events: what each element means where it stands, and recovery from misplaced end tags.
extension AggregateReportParser {
    func name(_ localName: UnsafePointer<UInt8>) -> ElementName? {
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
        if case .leaf = child { text.reset() }
        if case .capture = child { captureNames.append(qualifiedName(localName, prefix: prefix)) }
        stack.append(Frame(context: child, depth: xmlDepth))
    }

    /// After a well-formedness error libxml2's recovery can leave an element open that the document
    /// closed (it ends the wrong element on a mismatched end tag). When a known element then appears
    /// where it cannot belong, close open elements up to the nearest one that can hold it.
    func resynchronize(for element: ElementName) {
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
    func context(
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
            count = nil
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
    func tooMany(_ element: String) -> ParseContext {
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
    func close(_ frame: Frame, localName: UnsafePointer<UInt8>?, prefix: UnsafePointer<UInt8>?) {
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
            if !text.append(bytes) {
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
}
