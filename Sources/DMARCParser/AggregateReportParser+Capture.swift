import ReportModel

/// Unknown and extension elements, kept verbatim as XML.
extension AggregateReportParser {
    func finishCapture() {
        let xml = String(decoding: capture, as: UTF8.self)
        if inRecord { record.extensions.append(xml) } else { header.extensions.append(xml) }
        capture.removeAll(keepingCapacity: false)
    }

    func appendStartTag(
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

    func appendEscaped(_ bytes: UnsafeBufferPointer<UInt8>) {
        appendCapture(Array(Self.escape(String(decoding: bytes, as: UTF8.self), quotes: false).utf8))
    }

    func appendCapture(_ bytes: [UInt8]) {
        guard capture.count < Self.maxCaptureLength else { return }
        capture.append(contentsOf: bytes.prefix(Self.maxCaptureLength - capture.count))
        if capture.count >= Self.maxCaptureLength {
            diagnostics.add(.unknownValue, .warning, "extension longer than \(Self.maxCaptureLength) bytes was cut")
        }
    }

    func qualifiedName(_ localName: UnsafePointer<UInt8>, prefix: UnsafePointer<UInt8>?) -> String {
        let local = String(cString: localName)
        return prefix.map { "\(String(cString: $0)):\(local)" } ?? local
    }

    static func escape(_ text: String, quotes: Bool) -> String {
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

    static func label(_ context: ParseContext) -> String {
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
