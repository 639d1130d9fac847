import DMARCParser
import ReportIngest
import ReportModel
import TLSRPTParser

/// What one fuzzing run exercises. Each check reads an arbitrary input the way Rua would and drops the
/// result: a fault shows as a crash, an AddressSanitizer report or a hang.
enum FuzzTarget: String, CaseIterable {
    /// The DMARC aggregate report parser.
    case dmarc
    /// The TLS-RPT JSON parser.
    case tlsrpt
    /// The MIME reader: headers, encoded words, transfer encodings, multipart nesting.
    case mime
    /// The whole unpacking path: sniffing, gzip/zlib, zip, e-mail.
    case unpack

    func check(_ bytes: [UInt8]) {
        switch self {
        case .dmarc:
            let name = "google.com!example.com!1764547200!1764633599.xml"
            _ = try? DMARCParser().parse(bytes, fileName: name)
            // And pulled, as a large file is read, in uneven pieces.
            var offset = 0
            _ = try? AggregateReportParser(fileName: name) { _ in }.parse { buffer in
                let count = min(buffer.count, bytes.count - offset, 1 + offset % 977)
                bytes.withUnsafeBytes {
                    buffer.copyMemory(from: UnsafeRawBufferPointer(rebasing: $0[offset..<offset + count]))
                }
                offset += count
                return count
            }
        case .tlsrpt:
            _ = try? TLSRPTParser().parse(bytes)
        case .mime:
            for part in MIMEParser.parse(bytes).allParts {
                _ = part.filename
                _ = part.decodedBody
                _ = part.headers.decoded("Subject")
            }
            // The message as a stream, in pieces of every size: how the import reads it.
            let limits = UnpackLimits(maxReportBytes: 16 << 20, chunkSize: 1 + bytes.count % 977)
            try? Unpacker(limits: limits).unpack(bytes: bytes, location: InputLocation(path: "fuzz"), visitor: Sink())
        case .unpack:
            let limits = UnpackLimits(maxReportBytes: 16 << 20, maxZipMembers: 100)
            try? Unpacker(limits: limits).unpack(bytes: bytes, location: InputLocation(path: "fuzz"), visitor: Sink())
        }
    }
}

/// Reads every payload to the end and drops it.
private final class Sink: UnpackVisitor, PayloadConsumer {
    func open(_ format: ReportFormat, at location: InputLocation, wholeInput: Bool) throws -> any PayloadConsumer {
        self
    }
    func skipped(at location: InputLocation, reason: String) throws {}
    func rejected(_ error: IngestError) throws {}
    func write(_ bytes: UnsafeRawBufferPointer) throws -> Bool { true }
    func finish(diagnostics: [Diagnostic]) throws {}
    func abort(_ error: IngestError) throws {}
}
