import CZlibShim
import ReportModel

/// Streams gzip (single or concatenated members) or zlib data through zlib's inflate, handing the
/// output on and counting it against the report cap. A complete member followed by bytes that are not
/// another member is kept, with a diagnostic about the trailing bytes.
final class InflateStage: ByteStage {
    private enum State {
        /// Inside a compressed stream.
        case inStream
        /// A member ended; the next bytes decide between another member and trailing junk.
        case betweenMembers
        /// Trailing bytes after the last member are being counted.
        case trailing
        /// Downstream wanted no more bytes.
        case stopped
        /// The stream failed and downstream was told so.
        case failed
    }

    private let format: PayloadKind
    private let location: InputLocation
    private let limits: UnpackLimits
    private let downstream: any ByteStage
    private let notes: NoteBox
    private var stream = z_stream()
    private var output: [UInt8]
    private var state = State.inStream
    private var produced: Int64 = 0
    private var consumed: Int64 = 0
    private var members = 0
    private var trailingBytes: Int64 = 0
    private var trailingIsWhiteSpace = true
    private var pending: [UInt8] = []

    init(format: PayloadKind, location: InputLocation, limits: UnpackLimits, downstream: any ByteStage, notes: NoteBox)
    {
        self.format = format
        self.location = location
        self.limits = limits
        self.downstream = downstream
        self.notes = notes
        self.output = [UInt8](repeating: 0, count: min(limits.chunkSize, 64 * 1024))
        // 15 + 32: the largest window, with automatic detection of a gzip or zlib header.
        _ = rua_inflateInit2(&stream, 15 + 32)
    }

    deinit {
        inflateEnd(&stream)
    }

    func write(_ bytes: UnsafeRawBufferPointer) throws -> Bool {
        switch state {
        case .stopped, .failed:
            return false
        case .trailing:
            countTrailing(bytes)
            return true
        case .betweenMembers:
            return try afterMember(bytes)
        case .inStream:
            return try inflate(bytes)
        }
    }

    func finish() throws {
        switch state {
        case .failed:
            return
        case .stopped:
            try downstream.finish()
        case .inStream:
            state = .failed
            let what = format == .gzip ? "gzip" : "zlib"
            try downstream.abort(
                IngestError(
                    .truncated,
                    "\(what) stream truncated: it ends after \(consumed) compressed bytes without its end marker",
                    at: location))
        case .betweenMembers, .trailing:
            if state == .betweenMembers, !pending.isEmpty {
                trailingBytes += Int64(pending.count)
                trailingIsWhiteSpace = false
            }
            if members > 1 {
                notes.diagnostics.append(Diagnostic(.gzipMultiMember, .note, "\(members) concatenated gzip members"))
            }
            if trailingBytes > 0 {
                let kind = trailingIsWhiteSpace ? "white space" : "unrecognised bytes"
                notes.diagnostics.append(
                    Diagnostic(
                        .gzipTrailingBytes, trailingIsWhiteSpace ? .note : .warning,
                        "\(trailingBytes) bytes of \(kind) after the end of the compressed stream were ignored"))
            }
            state = .stopped
            try downstream.finish()
        }
    }

    func abort(_ error: IngestError) throws {
        guard state != .failed else { return }
        state = .failed
        try downstream.abort(error)
    }

    private func countTrailing(_ bytes: UnsafeRawBufferPointer) {
        trailingBytes += Int64(bytes.count)
        if trailingIsWhiteSpace {
            trailingIsWhiteSpace = bytes.allSatisfy { [0x20, 0x09, 0x0A, 0x0D, 0x00].contains($0) }
        }
    }

    /// Bytes that follow a complete member: another gzip member (its magic, perhaps split from the rest by
    /// a chunk boundary: the one byte is held in ``pending``), or trailing bytes.
    private func afterMember(_ bytes: UnsafeRawBufferPointer) throws -> Bool {
        guard let first = bytes.first else { return true }
        if pending == [0x1F] {
            pending = []
            guard first == 0x8B else {
                state = .trailing
                trailingBytes += 1
                trailingIsWhiteSpace = false
                countTrailing(bytes)
                return true
            }
            inflateReset(&stream)
            state = .inStream
            let magic: [UInt8] = [0x1F]
            guard try magic.withUnsafeBytes({ try inflate($0) }) else { return false }
            return try inflate(bytes)
        }
        if format == .gzip, first == 0x1F {
            if bytes.count < 2 {
                pending = [0x1F]
                return true
            }
            if bytes[1] == 0x8B {
                inflateReset(&stream)
                state = .inStream
                return try inflate(bytes)
            }
        }
        state = .trailing
        countTrailing(bytes)
        return true
    }

    private func inflate(_ bytes: UnsafeRawBufferPointer) throws -> Bool {
        guard let base = bytes.baseAddress, !bytes.isEmpty else { return true }
        stream.setInput(base, count: bytes.count)
        defer { stream.next_in = nil }
        while true {
            let (result, count) = stream.inflateStep(into: &output)
            consumed = Int64(stream.total_in)
            if count > 0 {
                produced += Int64(count)
                if let budget = limits.budget {
                    budget.inflated += Int64(count)
                    if budget.inflated > limits.maxInputBytes {
                        return try stop(
                            IngestError(
                                .tooLarge,
                                "the input decompresses to more than \(limits.maxInputBytes) bytes in all its layers, "
                                    + "the limit for one input; possible decompression bomb", at: location))
                    }
                }
                if produced > limits.maxReportBytes {
                    return try stop(
                        IngestError(
                            .tooLarge,
                            "decompressed size exceeds the limit of \(limits.maxReportBytes) bytes "
                                + "(--max-report-bytes); possible decompression bomb",
                            at: location))
                }
                let wantsMore = try output.withUnsafeBytes {
                    try downstream.write(UnsafeRawBufferPointer(rebasing: $0[0..<count]))
                }
                if !wantsMore {
                    state = .stopped
                    return false
                }
            }
            switch result {
            case Z_OK:
                if stream.avail_in == 0 && stream.avail_out > 0 { return true }
            case Z_BUF_ERROR:
                // No progress possible: all input used up (more will come) or output full (loop again).
                if stream.avail_in == 0 { return true }
            case Z_STREAM_END:
                members += 1
                state = .betweenMembers
                let remaining = Int(stream.avail_in)
                guard remaining > 0 else { return true }
                // The next member, if the rest starts one, is inflated in this same loop (a file of
                // thousands of empty members must not nest a call, or copy the rest, per member).
                let rest = UnsafeRawBufferPointer(rebasing: bytes[(bytes.count - remaining)...])
                if format == .gzip, rest.count >= 2, rest[0] == 0x1F, rest[1] == 0x8B {
                    inflateReset(&stream)
                    state = .inStream
                    stream.setInput(rest.baseAddress!, count: rest.count)
                    continue
                }
                return try afterMember(rest)
            default:
                let reason = stream.msg.map { String(cString: $0) } ?? "error \(result)"
                return try stop(IngestError(.corrupt, "compressed data is corrupt (\(reason))", at: location))
            }
        }
    }

    private func stop(_ error: IngestError) throws -> Bool {
        state = .failed
        try downstream.abort(error)
        return false
    }
}
