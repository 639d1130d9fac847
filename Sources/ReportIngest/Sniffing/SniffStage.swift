import ReportModel

/// Holds back the first bytes of a payload until its kind is clear, then routes the stream: XML and
/// JSON to the visitor's consumer, gzip and zlib through an inflater into another sniffing stage,
/// nested zips into a buffered archive reader.
final class SniffStage: ByteStage {
    private let location: InputLocation
    private let depth: Int
    private let limits: UnpackLimits
    private let visitor: any UnpackVisitor
    private let notes: NoteBox
    private var head: [UInt8] = []
    private var downstream: (any ByteStage)?
    private var decided = false

    init(location: InputLocation, depth: Int, limits: UnpackLimits, visitor: any UnpackVisitor, notes: NoteBox) {
        self.location = location
        self.depth = depth
        self.limits = limits
        self.visitor = visitor
        self.notes = notes
    }

    func write(_ bytes: UnsafeRawBufferPointer) throws -> Bool {
        if decided {
            guard let downstream else { return false }
            return try downstream.write(bytes)
        }
        head.append(contentsOf: bytes)
        guard let kind = Sniffer.sniff(head, isComplete: false) else { return true }
        return try route(kind)
    }

    func finish() throws {
        if !decided {
            if head.isEmpty {
                decided = true
                try visitor.rejected(IngestError(.empty, "empty (0 bytes)", at: location))
                return
            }
            let kind = Sniffer.sniff(head, isComplete: true) ?? .unknown
            guard try route(kind) else { return }
        }
        try downstream?.finish()
    }

    func abort(_ error: IngestError) throws {
        if let downstream {
            try downstream.abort(error)
        } else if !decided {
            decided = true
            try visitor.rejected(error)
        }
    }

    /// Chooses the downstream stage and hands it the held-back head. Returns whether more bytes are wanted.
    private func route(_ kind: PayloadKind) throws -> Bool {
        decided = true
        let stage: any ByteStage
        switch kind {
        case .gzip, .zlib:
            guard depth < limits.maxDepth else {
                try visitor.rejected(
                    IngestError(.tooDeep, "compression nested more than \(limits.maxDepth) levels deep", at: location))
                return false
            }
            if depth > 0 {
                notes.diagnostics.append(
                    Diagnostic(.nestedCompression, .note, "\(kind.rawValue) inside another compression layer"))
            }
            if kind == .zlib {
                notes.diagnostics.append(Diagnostic(.zlibStream, .note, "raw zlib stream (no gzip header)"))
            }
            let inner = SniffStage(location: location, depth: depth + 1, limits: limits, visitor: visitor, notes: notes)
            stage = InflateStage(format: kind, location: location, limits: limits, downstream: inner, notes: notes)
        case .zip:
            guard depth < limits.maxDepth else {
                try visitor.rejected(
                    IngestError(.tooDeep, "compression nested more than \(limits.maxDepth) levels deep", at: location))
                return false
            }
            stage = NestedZipStage(location: location, depth: depth + 1, limits: limits, visitor: visitor)
        case .mail:
            guard depth < limits.maxDepth else {
                try visitor.rejected(
                    IngestError(.tooDeep, "messages nested more than \(limits.maxDepth) levels deep", at: location))
                return false
            }
            stage = MailStage(location: location, depth: depth + 1, limits: limits, visitor: visitor)
        case .xml, .json:
            let consumer = try visitor.open(
                kind == .xml ? .dmarcXML : .tlsrptJSON, at: location, wholeInput: depth == 0 && location.members.isEmpty
            )
            stage = ConsumerStage(consumer: consumer, notes: notes)
        case .unknown:
            let what = depth > 0 ? "decompressed content" : "content"
            try visitor.rejected(
                IngestError(
                    .notAReport,
                    "not a report: \(what) is not XML, JSON, gzip, zlib or zip (it looks like \(Sniffer.describe(head)))",
                    at: location))
            return false
        }
        downstream = stage
        let held = head
        head = []
        return try held.withUnsafeBytes { try stage.write($0) }
    }
}

/// The last stage: hands bytes to the visitor's consumer.
final class ConsumerStage: ByteStage {
    private let consumer: any PayloadConsumer
    private let notes: NoteBox
    private var done = false
    private var closed = false

    init(consumer: any PayloadConsumer, notes: NoteBox) {
        self.consumer = consumer
        self.notes = notes
    }

    func write(_ bytes: UnsafeRawBufferPointer) throws -> Bool {
        guard !done else { return false }
        if try consumer.write(bytes) { return true }
        done = true
        return false
    }

    func finish() throws {
        guard !closed else { return }
        closed = true
        try consumer.finish(diagnostics: notes.diagnostics)
    }

    func abort(_ error: IngestError) throws {
        guard !closed else { return }
        closed = true
        try consumer.abort(error)
    }
}
