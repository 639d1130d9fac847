import ReportModel

/// Collects a payload whole (within the report cap) for the formats that cannot be read as a stream —
/// a zip inside another layer needs random access, an e-mail message needs its MIME structure — and
/// hands the bytes to `read` at the end.
final class CollectingStage: ByteStage {
    private let what: String
    private let location: InputLocation
    private let limits: UnpackLimits
    private let visitor: any UnpackVisitor
    private let read: ([UInt8]) throws -> Void
    private var bytes: [UInt8] = []
    private var failed = false

    /// - Parameter what: how the payload is named in the error when it exceeds the cap.
    init(
        _ what: String, location: InputLocation, limits: UnpackLimits, visitor: any UnpackVisitor,
        read: @escaping ([UInt8]) throws -> Void
    ) {
        self.what = what
        self.location = location
        self.limits = limits
        self.visitor = visitor
        self.read = read
    }

    func write(_ chunk: UnsafeRawBufferPointer) throws -> Bool {
        guard !failed else { return false }
        if Int64(bytes.count + chunk.count) > limits.maxReportBytes {
            try abort(
                IngestError(.tooLarge, "\(what) exceeds the limit of \(limits.maxReportBytes) bytes", at: location))
            return false
        }
        bytes.append(contentsOf: chunk)
        return true
    }

    func finish() throws {
        guard !failed else { return }
        try read(bytes)
        bytes = []
    }

    func abort(_ error: IngestError) throws {
        guard !failed else { return }
        failed = true
        try visitor.rejected(error)
    }
}
