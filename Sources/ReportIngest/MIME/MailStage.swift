import ReportModel

/// An e-mail message inside the stream: collected (within the report cap), parsed as MIME, and every
/// part whose bytes are a report (gzip, zip, zlib, XML, JSON) handed on as a member named after its
/// attachment, whatever its Content-Type says. A message without one is skipped with the reason (a
/// failure report, a bounce, a reply).
enum MailStage {
    /// A stage that collects the message and then reads it.
    static func make(
        location: InputLocation, depth: Int, limits: UnpackLimits, visitor: any UnpackVisitor
    )
        -> CollectingStage
    {
        CollectingStage("message", location: location, limits: limits, visitor: visitor) { bytes in
            try read(bytes, location: location, depth: depth, limits: limits, visitor: visitor)
        }
    }

    static func read(
        _ bytes: [UInt8], location: InputLocation, depth: Int, limits: UnpackLimits, visitor: any UnpackVisitor
    ) throws {
        let message = MIMEParser.parse(bytes)
        try visitor.message(Self.info(message.headers), at: location)
        let candidates = Self.reportParts(of: message)
        guard !candidates.isEmpty else {
            try visitor.skipped(at: location, reason: Self.reasonWithoutReport(message))
            return
        }
        var names: [String: Int] = [:]
        for (part, decoding) in candidates {
            let payload =
                switch decoding {
                case .declared: part.decodedBody
                case .undeclaredBase64: TransferEncoding.base64(part.rawBody)
                case .decoded(let bytes): bytes
                }
            var name = part.filename ?? "part \(part.path.isEmpty ? "1" : part.path)"
            names[name, default: 0] += 1
            if let seen = names[name], seen > 1 { name += " (\(seen))" }
            let stage = SniffStage(
                location: location.appending(member: name), depth: depth, limits: limits, visitor: visitor,
                notes: NoteBox())
            try stage.feed(payload, chunkSize: limits.chunkSize)
        }
    }

    static func info(_ headers: MIMEHeaders) -> MessageInfo {
        MessageInfo(
            messageID: headers.value("Message-ID"), date: headers.value("Date"), from: headers.decoded("From"),
            subject: headers.decoded("Subject"), tlsReportDomain: headers.value("TLS-Report-Domain"),
            tlsReportSubmitter: headers.value("TLS-Report-Submitter"))
    }

    /// How a report part's bytes are had: as its Content-Transfer-Encoding says, or as base64 sent
    /// without that header.
    enum Decoding {
        case declared
        case undeclaredBase64
        /// A part small enough to have been decoded whole while judged: its bytes.
        case decoded([UInt8])
    }

    /// Parts whose decoded bytes are report data, and how to decode them. Each part is judged by the
    /// first bytes of its decoding only: a message's text parts (a 200 MB one included) are never decoded
    /// whole just to be passed over, and report parts are decoded one at a time when they are read.
    static func reportParts(of message: MIMEPart) -> [(MIMEPart, Decoding)] {
        var found: [(MIMEPart, Decoding)] = []
        for part in message.allParts where part.children.isEmpty {
            let type = part.mediaType
            if notReports.contains(type) || type.hasPrefix("multipart/") { continue }
            let sample = part.rawBody.prefix(Self.sniffedBytes)
            let whole = sample.count == part.rawBody.count
            let head = part.decoded(sample)
            var kind = Sniffer.sniff(head, isComplete: whole) ?? .unknown
            var decoding = whole ? Decoding.decoded(head) : .declared
            if part.headers.value("Content-Transfer-Encoding") == nil, kind == .unknown || kind == .mail,
                TransferEncoding.looksLikeBase64(part.rawBody)
            {
                // Base64 sent without its Content-Transfer-Encoding header.
                let decoded = TransferEncoding.base64(sample)
                let decodedKind = Sniffer.sniff(decoded, isComplete: whole) ?? .unknown
                if [.gzip, .zip, .zlib].contains(decodedKind) {
                    kind = decodedKind
                    decoding = whole ? .decoded(decoded) : .undeclaredBase64
                }
            }
            let isBody = (type == "text/plain" || type == "text/html") && part.filename == nil && !part.isAttachment
            let wanted: Set<PayloadKind> = isBody ? [.gzip, .zip, .zlib] : [.gzip, .zip, .zlib, .xml, .json]
            if wanted.contains(kind) { found.append((part, decoding)) }
        }
        return found
    }

    /// Encoded bytes decoded to judge a part: enough for any report's first bytes (an XML declaration,
    /// a byte-order mark and blank lines before it).
    static let sniffedBytes = 8192

    /// Parts that belong to other kinds of report or notice.
    private static let notReports: Set<String> = [
        "message/feedback-report", "message/delivery-status", "message/disposition-notification",
        "text/rfc822-headers", "message/rfc822-headers",
    ]

    /// Why a message holds no aggregate or TLS report.
    static func reasonWithoutReport(_ message: MIMEPart) -> String {
        if let limit = message.limitReached {
            return "no aggregate or TLS report found, but not all of the message was read: \(limit)"
        }
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
