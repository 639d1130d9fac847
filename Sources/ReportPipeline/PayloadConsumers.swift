import DMARCParser
import ReportIngest
import ReportModel
import ReportStore

/// Collects what one input yields, writing each item into the input's transaction.
final class InputVisitor: UnpackVisitor {
    private let session: InputSession
    private let input: String
    private(set) var items: [ImportItem] = []

    init(session: InputSession, input: String) {
        self.session = session
        self.input = input
    }

    func open(_ format: ReportFormat, at location: InputLocation) throws -> any PayloadConsumer {
        switch format {
        case .dmarcXML:
            return try DMARCPayloadConsumer(visitor: self, location: location, writer: session.beginReport(part: location.part))
        case .tlsrptJSON:
            return UnsupportedPayloadConsumer(visitor: self, location: location)
        }
    }

    func skipped(at location: InputLocation, reason: String) throws {
        try add(ImportItem(input: input, part: location.part, outcome: .skipped, reason: reason), diagnostics: [])
    }

    func rejected(_ error: IngestError) throws {
        try reject(at: error.location, kind: nil, reason: error.message, diagnostics: [])
    }

    func reject(at location: InputLocation, kind: ImportItem.Kind?, reason: String, diagnostics: [Diagnostic]) throws {
        try add(
            ImportItem(
                input: input, part: location.part, outcome: .rejected, kind: kind, reason: reason,
                diagnostics: diagnostics.map(\.description)),
            diagnostics: diagnostics)
    }

    /// Records an item that is not a stored report.
    func add(_ item: ImportItem, diagnostics: [Diagnostic]) throws {
        try session.addItem(
            part: item.part, outcome: item.outcome, kind: item.kind, reason: item.reason, diagnostics: diagnostics)
        items.append(item)
    }

    /// Records the outcome of a report the writer committed.
    func committed(_ item: ImportItem) {
        items.append(item)
    }

    var inputName: String { input }
}

/// Streams a DMARC payload through the parser into the store, hashing it on the way.
final class DMARCPayloadConsumer: PayloadConsumer {
    private let visitor: InputVisitor
    private let location: InputLocation
    private let writer: ReportWriter
    private var parser: AggregateReportParser?
    private let hasher = SHA256Hasher()

    init(visitor: InputVisitor, location: InputLocation, writer: ReportWriter) {
        self.visitor = visitor
        self.location = location
        self.writer = writer
        parser = AggregateReportParser(fileName: location.leafName) { [writer] record in try writer.add(record) }
    }

    func write(_ bytes: UnsafeRawBufferPointer) throws -> Bool {
        hasher.update(bytes)
        return try parser?.feed(bytes) ?? false
    }

    func finish(diagnostics unpackDiagnostics: [Diagnostic]) throws {
        guard let parser else { return }
        self.parser = nil
        let parsed: ParsedReport
        do {
            parsed = try parser.finish()
        } catch let error as DMARCParseError {
            try writer.discard()
            try visitor.reject(at: location, kind: .dmarc, reason: error.message, diagnostics: unpackDiagnostics)
            return
        }
        let diagnostics = unpackDiagnostics + parsed.diagnostics
        let digest = hasher.finalize()
        let commit = try writer.commit(
            header: parsed.header, records: parsed.recordCount, messages: parsed.messageCount, payloadSHA256: digest,
            diagnostics: diagnostics)
        let metadata = parsed.header.metadata
        var item = ImportItem(
            input: visitor.inputName, part: location.part, outcome: .stored, kind: .dmarc, orgName: metadata.orgName,
            reportID: metadata.reportID, policyDomain: parsed.header.policy.domain, begin: metadata.begin,
            end: metadata.end, records: parsed.recordCount, messages: parsed.messageCount,
            diagnostics: diagnostics.map(\.description))
        switch commit {
        case .stored:
            break
        case .duplicate(let existing):
            item.outcome = .duplicate
            item.reason = "report already stored (#\(existing))"
            item.diagnostics = []
        case .variant(_, let original):
            item.reason = "same identity as report #\(original) with different content: kept, not counted"
            item.diagnostics = (diagnostics).map(\.description)
        }
        visitor.committed(item)
    }

    func abort(_ error: IngestError) throws {
        parser = nil
        try writer.discard()
        try visitor.reject(at: location, kind: .dmarc, reason: error.message, diagnostics: [])
    }
}

/// A payload Rua recognises but does not store yet (TLS-RPT JSON): the item is skipped with the
/// reason, and the input's original bytes stay in the database.
final class UnsupportedPayloadConsumer: PayloadConsumer {
    private let visitor: InputVisitor
    private let location: InputLocation

    init(visitor: InputVisitor, location: InputLocation) {
        self.visitor = visitor
        self.location = location
    }

    func write(_ bytes: UnsafeRawBufferPointer) throws -> Bool { false }

    func finish(diagnostics: [Diagnostic]) throws {
        try visitor.add(
            ImportItem(
                input: visitor.inputName, part: location.part, outcome: .skipped, kind: .tlsrpt,
                reason: "TLS-RPT (JSON) report recognised; not yet supported, original kept"),
            diagnostics: diagnostics)
    }

    func abort(_ error: IngestError) throws {
        try visitor.reject(at: location, kind: .tlsrpt, reason: error.message, diagnostics: [])
    }
}
