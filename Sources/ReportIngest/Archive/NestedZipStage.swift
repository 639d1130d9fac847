import ReportModel

/// Collects a zip archive found inside another layer (a gzip, an e-mail attachment) into a temporary
/// file, within the report cap: an archive is read from its end (its central directory), so it cannot be
/// read as it streams, and memory must not hold it whatever its size. Hands the file to ``ZipReader``
/// at the end.
final class NestedZipStage: ByteStage {
    private let location: InputLocation
    private let depth: Int
    private let limits: UnpackLimits
    private let visitor: any UnpackVisitor
    private let spool = Spool(memoryLimit: 0)
    private var failed = false

    init(location: InputLocation, depth: Int, limits: UnpackLimits, visitor: any UnpackVisitor) {
        self.location = location
        self.depth = depth
        self.limits = limits
        self.visitor = visitor
    }

    func write(_ chunk: UnsafeRawBufferPointer) throws -> Bool {
        guard !failed else { return false }
        if spool.count + Int64(chunk.count) > limits.maxReportBytes {
            try abort(
                IngestError(.tooLarge, "nested zip exceeds the limit of \(limits.maxReportBytes) bytes", at: location))
            return false
        }
        do {
            try spool.append(chunk)
        } catch {
            try abort(ZipReader.spoolFailure(error, at: location))
            return false
        }
        return true
    }

    func finish() throws {
        guard !failed else { return }
        let archive: SpooledInput
        do {
            archive = try spool.finish()
        } catch {
            try abort(ZipReader.spoolFailure(error, at: location))
            return
        }
        try ZipReader(limits: limits).read(archive, location: location, depth: depth, visitor: visitor)
    }

    func abort(_ error: IngestError) throws {
        guard !failed else { return }
        failed = true
        try visitor.rejected(error)
    }
}
