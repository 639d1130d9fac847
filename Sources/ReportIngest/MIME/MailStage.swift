import ReportModel

/// An e-mail message inside the stream, read as it streams (``MIMEReader``): every leaf part whose bytes
/// are a report (gzip, zip, zlib, XML, JSON) is handed on as a member named after its attachment,
/// whatever its Content-Type says, decoded as it arrives. Memory stays bounded whatever the message's
/// size: a part is judged by its first bytes, and other parts are passed over. A message without a
/// report is skipped with the reason (a failure report, a bounce, a reply).
final class MailStage: ByteStage, MIMEReaderDelegate {
    private let location: InputLocation
    private let depth: Int
    private let limits: UnpackLimits
    private let visitor: any UnpackVisitor
    private var reader: MIMEReader?
    private var done = false

    /// What is known of the message so far, for the reason when it holds no report.
    private var mediaTypes: Set<String> = []
    private var reportType: String?
    private var subject: String?
    private var reportsFound = 0
    private var names: [String: Int] = [:]

    /// The leaf being read: its part, and either its first bytes (while it is judged) or where its
    /// decoded bytes go (a report).
    private var leaf: MIMEPart?
    private var sample: [UInt8]?
    private var payload: (decoder: ContentDecoder, stage: SniffStage)?
    private var payloadWantsMore = true

    init(location: InputLocation, depth: Int, limits: UnpackLimits, visitor: any UnpackVisitor) {
        self.location = location
        self.depth = depth
        self.limits = limits
        self.visitor = visitor
        reader = MIMEReader(delegate: self)
    }

    func write(_ bytes: UnsafeRawBufferPointer) throws -> Bool {
        guard !done, let reader else { return false }
        try reader.write(bytes)
        return true
    }

    func finish() throws {
        guard !done, let reader else { return }
        done = true
        try reader.finish()
        self.reader = nil
        if reportsFound == 0 {
            try visitor.skipped(at: location, reason: reasonWithoutReport(limit: reader.limitReached))
        }
    }

    func abort(_ error: IngestError) throws {
        guard !done else { return }
        done = true
        reader = nil
        if let payload {
            self.payload = nil
            try payload.stage.abort(error)
        } else {
            try visitor.rejected(error)
        }
    }

    // MARK: The reader's events

    func partBegan(_ part: MIMEPart, isLeaf: Bool) throws {
        let type = part.mediaType
        mediaTypes.insert(type)
        if reportType == nil { reportType = part.contentType["report-type"]?.lowercased() }
        if part.path.isEmpty {
            subject = part.headers.decoded("Subject")
            try visitor.message(Self.info(part.headers), at: location)
        }
        guard isLeaf, !Self.notReports.contains(type), !type.hasPrefix("multipart/") else { return }
        leaf = part
        sample = []
    }

    func leafBody(_ bytes: UnsafeRawBufferPointer) throws {
        if var held = sample {
            sample = nil
            held.append(contentsOf: bytes)
            guard held.count > Self.sniffedBytes else {
                sample = held
                return
            }
            try judge(held, whole: false)
            return
        }
        if let payload, payloadWantsMore { try payload.decoder.write(bytes) }
    }

    func leafEnded() throws {
        if let held = sample {
            sample = nil
            try judge(held, whole: true)
        }
        if let payload {
            self.payload = nil
            try payload.decoder.finish()
        }
        leaf = nil
    }

    /// Decides from a leaf's first bytes whether it is a report, and if so starts reading it as one.
    /// - Parameter whole: whether `held` is the leaf's whole body.
    private func judge(_ held: [UInt8], whole: Bool) throws {
        guard let part = leaf else { return }
        let sampleBytes = held.prefix(Self.sniffedBytes)
        let encoding = part.headers.value("Content-Transfer-Encoding")
        var kind = Sniffer.sniff(part.decoded(sampleBytes), isComplete: whole) ?? .unknown
        var decoding = encoding
        if encoding == nil, kind == .unknown || kind == .mail, TransferEncoding.looksLikeBase64(sampleBytes) {
            // Base64 sent without its Content-Transfer-Encoding header.
            let decodedKind = Sniffer.sniff(TransferEncoding.base64(sampleBytes), isComplete: whole) ?? .unknown
            if [.gzip, .zip, .zlib].contains(decodedKind) {
                kind = decodedKind
                decoding = "base64"
            }
        }
        let type = part.mediaType
        let isBody = (type == "text/plain" || type == "text/html") && part.filename == nil && !part.isAttachment
        let wanted: Set<PayloadKind> = isBody ? [.gzip, .zip, .zlib] : [.gzip, .zip, .zlib, .xml, .json]
        guard wanted.contains(kind) else { return }
        reportsFound += 1
        var name = part.filename ?? "part \(part.path.isEmpty ? "1" : part.path)"
        names[name, default: 0] += 1
        if let seen = names[name], seen > 1 { name += " (\(seen))" }
        let stage = SniffStage(
            location: location.appending(member: name), depth: depth, limits: limits, visitor: visitor,
            notes: NoteBox())
        payloadWantsMore = true
        let decoder = ContentDecoder(encoding: decoding) { [unowned self] bytes in
            if payloadWantsMore { payloadWantsMore = try stage.write(bytes) }
        } finish: {
            try stage.finish()
        }
        payload = (decoder, stage)
        try held.withUnsafeBytes { try decoder.write($0) }
    }

    static func info(_ headers: MIMEHeaders) -> MessageInfo {
        MessageInfo(
            messageID: headers.value("Message-ID"), date: headers.value("Date"), from: headers.decoded("From"),
            subject: headers.decoded("Subject"), tlsReportDomain: headers.value("TLS-Report-Domain"),
            tlsReportSubmitter: headers.value("TLS-Report-Submitter"))
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
    private func reasonWithoutReport(limit: String?) -> String {
        if let limit {
            return "no aggregate or TLS report found, but not all of the message was read: \(limit)"
        }
        if mediaTypes.contains("message/feedback-report") || reportType == "feedback-report" {
            return "failure report (ARF): not processed"
        }
        if mediaTypes.contains("message/delivery-status") || reportType == "delivery-status" {
            return "delivery status notification (bounce): not a report"
        }
        let subject = (subject ?? "").lowercased()
        if subject.contains("failure report") || subject.contains("forensic report") {
            return "failure report (no ARF part): not processed"
        }
        return "message carries no aggregate or TLS report"
    }
}
