import ReportModel

/// Element text to model values, through ``Normalization``, and the checks that complete a record.
extension AggregateReportParser {
    func assign(_ element: ElementName, in parent: ParseContext) {
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
            record.disposition = dispositions.word(raw, element: name, into: &diagnostics)
        case (.policyEvaluated, .dkim):
            record.dkim = verdicts.dkim.word(raw, element: "policy_evaluated/dkim", into: &diagnostics)
        case (.policyEvaluated, .spf):
            record.spf = verdicts.spf.word(raw, element: "policy_evaluated/spf", into: &diagnostics)
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

    func assignPolicy(_ element: ElementName, _ raw: String) {
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

    func assignDKIM(_ element: ElementName, _ raw: String) {
        let index = record.dkimResults.count - 1
        switch element {
        case .domain:
            record.dkimResults[index].domain = Normalization.domain(raw, element: "dkim/domain", into: &diagnostics)
        case .selector:
            record.dkimResults[index].selector = Normalization.text(raw, element: "dkim/selector", into: &diagnostics)
        case .result:
            record.dkimResults[index].result = dkimResults.word(
                raw, element: "dkim/result", aliases: Normalization.dkimAliases, into: &diagnostics)
        case .humanResult:
            record.dkimResults[index].humanResult = Normalization.text(
                raw, element: "dkim/human_result", into: &diagnostics)
        default: break
        }
    }

    func assignSPF(_ element: ElementName, _ raw: String) {
        let index = record.spfResults.count - 1
        switch element {
        case .domain:
            record.spfResults[index].domain = Normalization.domain(raw, element: "spf/domain", into: &diagnostics)
        case .scope:
            record.spfResults[index].scope = spfScopes.word(
                raw, element: "spf/scope", aliases: Normalization.scopeAliases, into: &diagnostics)
        case .result:
            record.spfResults[index].result = spfResults.word(
                raw, element: "spf/result", aliases: Normalization.spfAliases, into: &diagnostics)
        case .humanResult:
            record.spfResults[index].humanResult = Normalization.text(
                raw, element: "spf/human_result", into: &diagnostics)
        default: break
        }
    }

    func finishRecord() {
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
    static func trimmedString(_ bytes: [UInt8]) -> String {
        bytes.withUnsafeBufferPointer { String(decoding: trimmed($0), as: UTF8.self) }
    }

    /// The bytes without ASCII white space at either end.
    static func trimmed(_ bytes: UnsafeBufferPointer<UInt8>) -> UnsafeBufferPointer<UInt8> {
        func isSpace(_ byte: UInt8) -> Bool { byte == 0x20 || byte == 0x0A || byte == 0x0D || byte == 0x09 }
        var start = 0
        var end = bytes.count
        while start < end, isSpace(bytes[start]) { start += 1 }
        while end > start, isSpace(bytes[end - 1]) { end -= 1 }
        return UnsafeBufferPointer(rebasing: bytes[start..<end])
    }
}
