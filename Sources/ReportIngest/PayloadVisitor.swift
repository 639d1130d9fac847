import ReportModel

/// The report formats the unpacker hands on.
public enum ReportFormat: String, Sendable {
    /// DMARC aggregate report XML (RFC 7489 / RFC 9990).
    case dmarcXML
    /// SMTP TLS report JSON (RFC 8460).
    case tlsrptJSON
}

/// Receives one payload's decompressed bytes as they stream out of the unpacker.
public protocol PayloadConsumer: AnyObject {
    /// Takes the next chunk. Returns `false` when it needs no more bytes (it has decided the outcome).
    /// - Throws: only errors that must stop the whole input (a store failure), never a parse error.
    func write(_ bytes: UnsafeRawBufferPointer) throws -> Bool
    /// All bytes were delivered. `diagnostics` are what unpacking noticed (trailing bytes, nesting).
    func finish(diagnostics: [Diagnostic]) throws
    /// The payload broke while streaming (truncated archive, cap exceeded): nothing of it may be kept.
    func abort(_ error: IngestError) throws
    /// Takes the whole payload by reading it, instead of being written to: `read` fills the buffer it is
    /// given and returns how many bytes it put there, 0 at the end. The payload is then complete, as after
    /// ``finish(diagnostics:)`` (a consumer whose parser reads faster than it is fed implements this).
    func consume(reading read: @escaping (UnsafeMutableRawBufferPointer) throws -> Int) throws
}

extension PayloadConsumer {
    /// Writes what `read` gives, chunk by chunk, then finishes.
    public func consume(reading read: @escaping (UnsafeMutableRawBufferPointer) throws -> Int) throws {
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 16, alignment: 16)
        defer { buffer.deallocate() }
        while true {
            let count = try read(buffer)
            guard count > 0, try write(UnsafeRawBufferPointer(rebasing: buffer[0..<count])) else { break }
        }
        try finish(diagnostics: [])
    }
}

/// Told about every item an input yields: payloads to consume, members skipped, members rejected.
public protocol UnpackVisitor: AnyObject {
    /// A payload of a known format begins at `location`. `wholeInput` is true when the payload is the
    /// input itself, byte for byte (not compressed, not an archive member).
    func open(_ format: ReportFormat, at location: InputLocation, wholeInput: Bool) throws -> any PayloadConsumer
    /// A member that is not report data (directory, macOS metadata) was passed over.
    func skipped(at location: InputLocation, reason: String) throws
    /// A member or file that cannot be a report.
    func rejected(_ error: IngestError) throws
    /// An e-mail message was read at `location` (its reports follow as payloads).
    func message(_ info: MessageInfo, at location: InputLocation) throws
    /// `count` more bytes of an input streamed from its file were read (for progress).
    func inputRead(_ count: Int)
}

extension UnpackVisitor {
    public func message(_ info: MessageInfo, at location: InputLocation) throws {}
    public func inputRead(_ count: Int) {}
}
