import ReportModel

/// An e-mail message inside the stream: collected (within the report cap), parsed as MIME, and every
/// part whose bytes are a report (gzip, zip, zlib, XML, JSON) handed on as a member named after its
/// attachment, whatever its Content-Type says. A message without one is skipped with the reason (a
/// failure report, a bounce, a reply).
final class MailStage: ByteStage {
    private let location: InputLocation
    private let depth: Int
    private let limits: UnpackLimits
    private let visitor: any UnpackVisitor
    private var bytes: [UInt8] = []
    private var failed = false

    init(location: InputLocation, depth: Int, limits: UnpackLimits, visitor: any UnpackVisitor) {
        self.location = location
        self.depth = depth
        self.limits = limits
        self.visitor = visitor
    }

    func write(_ chunk: UnsafeRawBufferPointer) throws -> Bool {
        guard !failed else { return false }
        if Int64(bytes.count + chunk.count) > limits.maxReportBytes {
            try abort(
                IngestError(.tooLarge, "message exceeds the limit of \(limits.maxReportBytes) bytes", at: location))
            return false
        }
        bytes.append(contentsOf: chunk)
        return true
    }

    func abort(_ error: IngestError) throws {
        guard !failed else { return }
        failed = true
        try visitor.rejected(error)
    }

    func finish() throws {
        guard !failed else { return }
        let message = MIMEParser.parse(bytes)
        try visitor.message(MailStage.info(message.headers), at: location)
        let candidates = Self.reportParts(of: message)
        guard !candidates.isEmpty else {
            try visitor.skipped(at: location, reason: Self.reasonWithoutReport(message))
            return
        }
        var names: [String: Int] = [:]
        for (part, payload) in candidates {
            var name = part.filename ?? "part \(part.path.isEmpty ? "1" : part.path)"
            names[name, default: 0] += 1
            if let seen = names[name], seen > 1 { name += " (\(seen))" }
            let stage = SniffStage(
                location: location.appending(member: name), depth: depth, limits: limits, visitor: visitor,
                notes: NoteBox())
            var wantsMore = true
            try payload.withUnsafeBytes { all in
                var offset = 0
                while wantsMore, offset < all.count {
                    let end = min(offset + limits.chunkSize, all.count)
                    wantsMore = try stage.write(UnsafeRawBufferPointer(rebasing: all[offset..<end]))
                    offset = end
                }
            }
            try stage.finish()
        }
    }

    static func info(_ headers: MIMEHeaders) -> MessageInfo {
        MessageInfo(
            messageID: headers.value("Message-ID"), date: headers.value("Date"), from: headers.decoded("From"),
            subject: headers.decoded("Subject"), tlsReportDomain: headers.value("TLS-Report-Domain"),
            tlsReportSubmitter: headers.value("TLS-Report-Submitter"))
    }

    /// Parts whose decoded bytes are report data, with those bytes.
    static func reportParts(of message: MIMEPart) -> [(MIMEPart, [UInt8])] {
        var found: [(MIMEPart, [UInt8])] = []
        for part in message.allParts where part.children.isEmpty {
            let type = part.mediaType
            if notReports.contains(type) || type.hasPrefix("multipart/") { continue }
            var payload = part.decodedBody
            var kind = Sniffer.sniff(payload, isComplete: true) ?? .unknown
            if part.headers.value("Content-Transfer-Encoding") == nil, kind == .unknown || kind == .mail,
                TransferEncoding.looksLikeBase64(part.rawBody)
            {
                // Base64 sent without its Content-Transfer-Encoding header.
                let decoded = TransferEncoding.base64(part.rawBody)
                let decodedKind = Sniffer.sniff(decoded, isComplete: true) ?? .unknown
                if [.gzip, .zip, .zlib].contains(decodedKind) {
                    payload = decoded
                    kind = decodedKind
                }
            }
            let isBody = (type == "text/plain" || type == "text/html") && part.filename == nil && !part.isAttachment
            let wanted: Set<PayloadKind> = isBody ? [.gzip, .zip, .zlib] : [.gzip, .zip, .zlib, .xml, .json]
            if wanted.contains(kind) { found.append((part, payload)) }
        }
        return found
    }

    /// Parts that belong to other kinds of report or notice.
    private static let notReports: Set<String> = [
        "message/feedback-report", "message/delivery-status", "message/disposition-notification",
        "text/rfc822-headers", "message/rfc822-headers",
    ]

    /// Why a message holds no aggregate or TLS report.
    static func reasonWithoutReport(_ message: MIMEPart) -> String {
        let types = Set(message.allParts.map(\.mediaType))
        let reportType = message.allParts.compactMap { $0.contentType["report-type"]?.lowercased() }.first
        if types.contains("message/feedback-report") || reportType == "feedback-report" {
            return "failure report (ARF): not processed"
        }
        if types.contains("message/delivery-status") || reportType == "delivery-status" {
            return "delivery status notification (bounce): not a report"
        }
        let subject = (message.headers.decoded("Subject") ?? "").lowercased()
        if subject.contains("failure report") || subject.contains("forensic report") {
            return "failure report (no ARF part): not processed"
        }
        return "message carries no aggregate or TLS report"
    }
}
