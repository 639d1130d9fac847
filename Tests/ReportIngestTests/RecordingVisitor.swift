import ReportIngest
import ReportModel

/// Collects what the unpacker yields: each payload's bytes and outcome.
final class RecordingVisitor: UnpackVisitor {
    struct Payload {
        var format: ReportFormat
        var location: InputLocation
        var bytes: [UInt8] = []
        var finished = false
        var diagnostics: [Diagnostic] = []
        var error: IngestError?
        var text: String { String(decoding: bytes, as: UTF8.self) }
    }

    var payloads: [Payload] = []
    var skipped: [(InputLocation, String)] = []
    var rejected: [IngestError] = []
    var messages: [MessageInfo] = []

    func message(_ info: MessageInfo, at location: InputLocation) throws {
        messages.append(info)
    }

    final class Consumer: PayloadConsumer {
        let visitor: RecordingVisitor
        let index: Int
        init(visitor: RecordingVisitor, index: Int) {
            self.visitor = visitor
            self.index = index
        }
        func write(_ bytes: UnsafeRawBufferPointer) throws -> Bool {
            visitor.payloads[index].bytes.append(contentsOf: bytes)
            return true
        }
        func finish(diagnostics: [Diagnostic]) throws {
            visitor.payloads[index].finished = true
            visitor.payloads[index].diagnostics = diagnostics
        }
        func abort(_ error: IngestError) throws {
            visitor.payloads[index].error = error
        }
    }

    func open(_ format: ReportFormat, at location: InputLocation, wholeInput: Bool) throws -> any PayloadConsumer {
        payloads.append(Payload(format: format, location: location))
        return Consumer(visitor: self, index: payloads.count - 1)
    }

    func skipped(at location: InputLocation, reason: String) throws {
        skipped.append((location, reason))
    }

    func rejected(_ error: IngestError) throws {
        rejected.append(error)
    }

    /// Unpacks in-memory bytes.
    static func unpack(
        _ bytes: [UInt8], name: String = "input", limits: UnpackLimits = UnpackLimits()
    ) throws
        -> RecordingVisitor
    {
        let visitor = RecordingVisitor()
        try Unpacker(limits: limits).unpack(bytes: bytes, location: InputLocation(path: name), visitor: visitor)
        return visitor
    }

    /// Unpacks a file.
    static func unpack(file path: String, limits: UnpackLimits = UnpackLimits()) throws -> RecordingVisitor {
        let visitor = RecordingVisitor()
        try Unpacker(limits: limits).unpack(fileAt: path, location: InputLocation(path: path), visitor: visitor)
        return visitor
    }
}
