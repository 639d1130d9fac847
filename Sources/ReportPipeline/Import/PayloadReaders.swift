import DMARCParser
import ReportIngest
import ReportModel
import TLSRPTParser
import WorkQueues

/// Turns what the unpacker finds in one input into the parts of its job.
final class JobVisitor: UnpackVisitor {
    let job: InputJob
    /// Called as payload bytes are read; throws to stop reading the input.
    var checkpoint: (() throws -> Void)?

    init(job: InputJob) {
        self.job = job
    }

    var input: String { job.input.name }

    /// Hands a part to the writer (dropped when the writer no longer wants the input).
    func send(_ part: InputPart) {
        job.parts.send(part)
    }

    /// Runs the checkpoint, and stops reading an input the writer has given up on.
    func check() throws {
        if job.parts.isClosed { throw WriterGaveUp() }
        try checkpoint?()
    }

    struct WriterGaveUp: Error {}

    func open(_ format: ReportFormat, at location: InputLocation, wholeInput: Bool) throws -> any PayloadConsumer {
        let digest = wholeInput ? { [job] in try job.content.digest() } : nil
        switch format {
        case .dmarcXML:
            send(.reportBegins(part: location.part))
            return DMARCPayloadReader(visitor: self, location: location, knownDigest: digest)
        case .tlsrptJSON:
            return TLSPayloadReader(visitor: self, location: location, knownDigest: digest)
        }
    }

    func message(_ info: MessageInfo, at location: InputLocation) throws {
        send(.message(info, part: location.part))
    }

    func inputRead(_ count: Int) {
        job.bytesRead.add(count)
    }

    func skipped(at location: InputLocation, reason: String) throws {
        send(.item(ImportItem(input: input, part: location.part, outcome: .skipped, reason: reason), []))
    }

    func rejected(_ error: IngestError) throws {
        send(.item(rejection(at: error.location, kind: nil, reason: error.message, diagnostics: []), []))
    }

    func rejection(
        at location: InputLocation, kind: ImportItem.Kind?, reason: String, diagnostics: [Diagnostic]
    )
        -> ImportItem
    {
        ImportItem(
            input: input, part: location.part, outcome: .rejected, kind: kind, reason: reason,
            diagnostics: diagnostics.map(\.description))
    }
}

/// Streams a DMARC payload through the parser, hashing it, and sends its records in batches.
final class DMARCPayloadReader: PayloadConsumer {
    /// Records per event: large enough that the queue's locking is noise, small enough to bound memory.
    static let batchSize = 256

    private let visitor: JobVisitor
    private let location: InputLocation
    private var parser: AggregateReportParser?
    /// The payload's SHA-256 when it is the whole input's; else hashed here.
    private let knownDigest: (() throws -> [UInt8])?
    private let hasher = SHA256Hasher()
    private let batch = RecordBatch()

    /// The records parsed since the last event (a class, so the parser's handler can append to it).
    final class RecordBatch {
        var records: [ReportRecord] = []
        weak var parser: AggregateReportParser?

        /// The records as a part of the job, with the report's end as far as the parser has read it.
        func take() -> InputPart {
            defer { records.removeAll(keepingCapacity: true) }
            return .records(records, reportedEnd: parser?.reportedEnd)
        }
    }

    init(visitor: JobVisitor, location: InputLocation, knownDigest: (() throws -> [UInt8])?) {
        self.visitor = visitor
        self.location = location
        self.knownDigest = knownDigest
        let job = visitor.job
        let parser = AggregateReportParser(fileName: location.leafName) { [batch] record in
            batch.records.append(record)
            if batch.records.count >= Self.batchSize { job.parts.send(batch.take()) }
        }
        batch.parser = parser
        self.parser = parser
    }

    func write(_ bytes: UnsafeRawBufferPointer) throws -> Bool {
        try visitor.check()
        if knownDigest == nil { hasher.update(bytes) }
        return try parser?.feed(bytes) ?? false
    }

    func finish(diagnostics unpackDiagnostics: [Diagnostic]) throws {
        guard let parser else { return }
        self.parser = nil
        try complete(diagnostics: unpackDiagnostics) { try parser.finish() }
    }

    func consume(reading read: @escaping (UnsafeMutableRawBufferPointer) throws -> Int) throws {
        guard let parser else { return }
        self.parser = nil
        let (visitor, hasher, hashes) = (visitor, hasher, knownDigest == nil)
        let pull = { (buffer: UnsafeMutableRawBufferPointer) throws -> Int in
            try visitor.check()
            let count = try read(buffer)
            if hashes && count > 0 { hasher.update(UnsafeRawBufferPointer(rebasing: buffer[0..<count])) }
            return count
        }
        try complete(diagnostics: []) {
            let parsed = try parser.parse(reading: pull)
            // libxml2 stops reading at content after the document: the rest is read too, as it is when
            // fed, so that the digest covers every byte and the source's checks at its end (a zip
            // member's CRC) decide before the report is kept.
            let rest = UnsafeMutableRawBufferPointer.allocate(byteCount: 64 * 1024, alignment: 16)
            defer { rest.deallocate() }
            while try pull(rest) > 0 {}
            return parsed
        }
    }

    /// Sends the report once `parse` has read it all, or discards it when it is not a usable report.
    private func complete(diagnostics unpackDiagnostics: [Diagnostic], _ parse: () throws -> ParsedReport) throws {
        let parsed: ParsedReport
        do {
            parsed = try parse()
        } catch let error as DMARCParseError {
            discard(reason: error.message, diagnostics: unpackDiagnostics)
            return
        }
        if !batch.records.isEmpty { visitor.send(batch.take()) }
        let digest = try knownDigest?() ?? hasher.finalize()
        visitor.send(
            .reportParsed(
                ParsedPayload(
                    part: location.part, header: parsed.header, records: parsed.recordCount,
                    messages: parsed.messageCount, payloadSHA256: digest,
                    diagnostics: unpackDiagnostics + parsed.diagnostics)))
    }

    func abort(_ error: IngestError) throws {
        parser = nil
        discard(reason: error.message, diagnostics: [])
    }

    private func discard(reason: String, diagnostics: [Diagnostic]) {
        batch.records = []
        let item = visitor.rejection(at: location, kind: .dmarc, reason: reason, diagnostics: diagnostics)
        visitor.send(.reportRejected(item, diagnostics))
    }
}

/// Collects a TLS-RPT JSON payload (within the report cap) and parses it at its end.
final class TLSPayloadReader: PayloadConsumer {
    private let visitor: JobVisitor
    private let location: InputLocation
    private let knownDigest: (() throws -> [UInt8])?
    private var bytes: [UInt8] = []
    private var tooLarge = false

    init(visitor: JobVisitor, location: InputLocation, knownDigest: (() throws -> [UInt8])?) {
        self.visitor = visitor
        self.location = location
        self.knownDigest = knownDigest
    }

    func write(_ chunk: UnsafeRawBufferPointer) throws -> Bool {
        try visitor.check()
        guard bytes.count + chunk.count <= TLSRPTParser.maxReportBytes else {
            // The report is parsed whole; its size bounds the memory that takes.
            tooLarge = true
            bytes = []
            return false
        }
        bytes.append(contentsOf: chunk)
        return true
    }

    func finish(diagnostics: [Diagnostic]) throws {
        guard !tooLarge else {
            let reason =
                "TLS report larger than \(TLSRPTParser.maxReportBytes) bytes of JSON; real ones are a few KB, "
                + "and larger ones are not parsed (memory)"
            visitor.send(
                .item(visitor.rejection(at: location, kind: .tlsrpt, reason: reason, diagnostics: diagnostics), []))
            return
        }
        do {
            let parsed = try TLSRPTParser().parse(bytes)
            visitor.send(
                .tlsReport(
                    ParsedTLSPayload(
                        part: location.part, report: parsed.report,
                        payloadSHA256: try knownDigest?() ?? SHA256Hasher.digest(bytes),
                        diagnostics: diagnostics + parsed.diagnostics)))
        } catch let error as TLSRPTParseError {
            let item = visitor.rejection(at: location, kind: .tlsrpt, reason: error.message, diagnostics: diagnostics)
            visitor.send(.item(item, diagnostics))
        }
        bytes = []
    }

    func abort(_ error: IngestError) throws {
        bytes = []
        visitor.send(
            .item(visitor.rejection(at: location, kind: .tlsrpt, reason: error.message, diagnostics: []), []))
    }
}
