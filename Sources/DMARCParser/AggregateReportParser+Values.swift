import ReportModel

/// Element text to model values, through ``Normalization``, and the checks that complete a record.
extension AggregateReportParser {
    func assign(_ element: ElementName, in parent: ParseContext) {
        if text.truncated && !element.isFreeText {
            // A number, address, domain or identifier cut short is a different value, not a shorter one.
            fail(
                DMARCParseError(
                    .invalidValue,
                    "<\(element.rawValue)> is longer than \(Self.maxTextLength) bytes; "
                        + "cut at that limit it would be a different value"))
            return
        }
        let bytes = text.trimmed
        var raw: String { String(decoding: bytes, as: UTF8.self) }
        var name: String { element.rawValue }
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
        case (.row, .count):
            count = Self.plainNumber(bytes)
            rawCount = count == nil ? raw : nil
        case (.policyEvaluated, .disposition):
            record.disposition = memos.disposition.value(of: bytes, diagnostics: &diagnostics) {
                Normalization.word($0, element: "disposition", into: &$1)
            }
        case (.policyEvaluated, .dkim):
            record.dkim = memos.dkimVerdict.value(of: bytes, diagnostics: &diagnostics) {
                Normalization.word($0, element: "policy_evaluated/dkim", into: &$1)
            }
        case (.policyEvaluated, .spf):
            record.spf = memos.spfVerdict.value(of: bytes, diagnostics: &diagnostics) {
                Normalization.word($0, element: "policy_evaluated/spf", into: &$1)
            }
        case (.reason, .type):
            record.reasons[record.reasons.count - 1].type = Normalization.word(
                raw, element: "reason/type", into: &diagnostics)
        case (.reason, .comment):
            record.reasons[record.reasons.count - 1].comment = Normalization.text(
                raw, element: "reason/comment", into: &diagnostics)
        case (.identifiers, .envelopeTo):
            record.envelopeTo = memos.envelopeTo.value(of: bytes, diagnostics: &diagnostics) {
                Normalization.domain($0, element: "envelope_to", into: &$1)
            }
        case (.identifiers, .envelopeFrom):
            record.envelopeFrom = memos.envelopeFrom.value(of: bytes, diagnostics: &diagnostics) {
                Normalization.domain($0, element: "envelope_from", into: &$1)
            }
        case (.identifiers, .headerFrom):
            record.headerFrom = memos.headerFrom.value(of: bytes, diagnostics: &diagnostics) {
                Normalization.domain($0, element: "header_from", into: &$1)
            }
        case (.dkim, _): assignDKIM(element, bytes)
        case (.spf, _): assignSPF(element, bytes)
        default: break
        }
    }

    /// A count written as 1 to 18 ASCII digits (nearly every one), read without building a string.
    static func plainNumber(_ bytes: UnsafeBufferPointer<UInt8>) -> Int64? {
        guard !bytes.isEmpty, bytes.count <= 18 else { return nil }
        var value: Int64 = 0
        for byte in bytes {
            guard byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") else { return nil }
            value = value * 10 + Int64(byte - UInt8(ascii: "0"))
        }
        return value
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

    func assignDKIM(_ element: ElementName, _ bytes: UnsafeBufferPointer<UInt8>) {
        let index = record.dkimResults.count - 1
        switch element {
        case .domain:
            record.dkimResults[index].domain = memos.dkimDomain.value(of: bytes, diagnostics: &diagnostics) {
                Normalization.domain($0, element: "dkim/domain", into: &$1)
            }
        case .selector:
            record.dkimResults[index].selector = memos.selector.value(of: bytes, diagnostics: &diagnostics) {
                Normalization.text($0, element: "dkim/selector", into: &$1)
            }
        case .result:
            record.dkimResults[index].result = memos.dkimResult.value(of: bytes, diagnostics: &diagnostics) {
                Normalization.word($0, element: "dkim/result", aliases: Normalization.dkimAliases, into: &$1)
            }
        case .humanResult:
            record.dkimResults[index].humanResult = Normalization.text(
                String(decoding: bytes, as: UTF8.self), element: "dkim/human_result", into: &diagnostics)
        default: break
        }
    }

    func assignSPF(_ element: ElementName, _ bytes: UnsafeBufferPointer<UInt8>) {
        let index = record.spfResults.count - 1
        switch element {
        case .domain:
            record.spfResults[index].domain = memos.spfDomain.value(of: bytes, diagnostics: &diagnostics) {
                Normalization.domain($0, element: "spf/domain", into: &$1)
            }
        case .scope:
            record.spfResults[index].scope = memos.spfScope.value(of: bytes, diagnostics: &diagnostics) {
                Normalization.word($0, element: "spf/scope", aliases: Normalization.scopeAliases, into: &$1)
            }
        case .result:
            record.spfResults[index].result = memos.spfResult.value(of: bytes, diagnostics: &diagnostics) {
                Normalization.word($0, element: "spf/result", aliases: Normalization.spfAliases, into: &$1)
            }
        case .humanResult:
            record.spfResults[index].humanResult = Normalization.text(
                String(decoding: bytes, as: UTF8.self), element: "spf/human_result", into: &diagnostics)
        default: break
        }
    }

    func finishRecord() {
        inRecord = false
        let number = recordCount + 1
        let count: Int64
        if let plain = self.count {
            count = plain
        } else if let rawCount {
            do {
                count = try Normalization.integer(rawCount, element: "count", into: &diagnostics)
            } catch {
                fail(
                    DMARCParseError(
                        .invalidValue, "record \(number): <count> '\(Normalization.trim(rawCount))' is not a number"))
                return
            }
        } else {
            fail(DMARCParseError(.missingField, "record \(number): <count> is missing"))
            return
        }
        guard count >= 0 else {
            fail(DMARCParseError(.invalidValue, "record \(number): <count> is negative (\(count))"))
            return
        }
        guard count <= CountLimits.perValue else {
            fail(
                DMARCParseError(
                    .invalidValue,
                    "record \(number): <count> \(count) is more messages than any real record holds "
                        + "(the limit is \(CountLimits.perValue.grouped))"))
            return
        }
        let total = messageCount + count
        guard total <= CountLimits.perReport else {
            fail(
                DMARCParseError(
                    .invalidValue,
                    "record \(number): the report's counts add up to more than "
                        + "\(CountLimits.perReport.grouped) messages, more than any real report holds"))
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
            // Handed over, not copied: the parser starts the next record afresh anyway.
            var finished = ReportRecord()
            swap(&finished, &record)
            try recordHandler(finished)
        } catch {
            handlerError = error
            sax?.stop()
        }
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

/// One ``TextMemo`` per element whose value records repeat.
struct RecordMemos {
    var disposition = TextMemo<Reported<Disposition>?>()
    var dkimVerdict = TextMemo<Reported<DMARCResult>?>()
    var spfVerdict = TextMemo<Reported<DMARCResult>?>()
    var envelopeTo = TextMemo<String?>()
    var envelopeFrom = TextMemo<String?>()
    var headerFrom = TextMemo<String?>()
    var dkimDomain = TextMemo<String?>()
    var selector = TextMemo<String?>()
    var dkimResult = TextMemo<Reported<DKIMResult>?>()
    var spfDomain = TextMemo<String?>()
    var spfScope = TextMemo<Reported<SPFScope>?>()
    var spfResult = TextMemo<Reported<SPFResult>?>()
}
