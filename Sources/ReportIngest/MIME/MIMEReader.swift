/// Told about a message's structure as ``MIMEReader`` reads it: each part's headers, then the body of
/// each leaf part (still transfer-encoded), in order, depth first.
public protocol MIMEReaderDelegate: AnyObject {
    /// A part's headers were read. `part` has no body and no children; `isLeaf` says whether its body
    /// follows (else its children do).
    func partBegan(_ part: MIMEPart, isLeaf: Bool) throws
    /// The next bytes of the current leaf's body, as transmitted.
    func leafBody(_ bytes: UnsafeRawBufferPointer) throws
    /// The current leaf's body is complete.
    func leafEnded() throws
}

/// Reads an RFC 5322 / MIME message as it streams, in bounded memory whatever its size: CRLF or LF line
/// ends, folded headers, multipart at any depth with preamble and epilogue, a missing closing boundary,
/// nested message/rfc822 (transfer-encoded too). A leaf's body goes to the delegate as it arrives; the
/// line break before a boundary belongs to the boundary. Bounded: nesting depth and part count are
/// capped (past the caps, parts are passed over and ``limitReached`` says which cap), a part's header
/// block is read up to ``maxHeaderBytes``, and lines longer than ``longestHeldLine`` (which cannot be
/// boundaries) pass through without being held.
public final class MIMEReader {
    public static let maxDepth = 32
    public static let maxParts = 10_000
    public static let maxHeaderBytes = 1 << 20
    /// Boundaries are at most 70 characters (RFC 2046); lines longer than this are body, never held whole.
    static let longestHeldLine = 4096

    private let lines: LineSplitter
    private let root: MIMEEntity
    private let context: Context

    /// What every part of one message shares.
    final class Context {
        unowned let delegate: any MIMEReaderDelegate
        var budget = MIMEReader.maxParts
        var limitReached: String?

        init(delegate: any MIMEReaderDelegate) {
            self.delegate = delegate
        }

        func limit(_ reason: String) {
            if limitReached == nil { limitReached = reason }
        }
    }

    public init(delegate: any MIMEReaderDelegate) {
        context = Context(delegate: delegate)
        let root = MIMEEntity(path: "", depth: 0, context: context)
        self.root = root
        lines = LineSplitter { try root.line($0) }
    }

    /// Set when the caps left parts unread, saying which cap.
    public var limitReached: String? { context.limitReached }

    public func write(_ bytes: UnsafeRawBufferPointer) throws {
        try lines.write(bytes)
    }

    /// The message is complete.
    public func finish() throws {
        try lines.finish()
        try root.end(byDelimiter: false)
    }
}

/// A piece of a line: a whole line (``startsLine`` and ``endsLine``), or a fragment of a long one.
struct LinePiece {
    var content: UnsafeRawBufferPointer
    /// The line break that ends it (CR LF or LF), empty when the line goes on or the input ends.
    var newline: Newline
    var startsLine: Bool
    var endsLine: Bool

    enum Newline {
        case none, lf, crlf

        var bytes: [UInt8] {
            switch self {
            case .none: []
            case .lf: [0x0A]
            case .crlf: [0x0D, 0x0A]
            }
        }

        func withBytes(_ body: (UnsafeRawBufferPointer) throws -> Void) rethrows {
            switch self {
            case .none: return
            case .lf: try withUnsafeBytes(of: UInt8(0x0A)) { try body($0) }
            case .crlf: try withUnsafeBytes(of: UInt16(bigEndian: 0x0D0A)) { try body($0) }
            }
        }
    }

    var isWholeLine: Bool { startsLine && endsLine }
}

/// Cuts a byte stream into lines; a line longer than ``MIMEReader/longestHeldLine`` is passed on in
/// fragments as it arrives.
final class LineSplitter {
    private let deliver: (LinePiece) throws -> Void
    private var held: [UInt8] = []
    /// Within a long line, whose start was delivered already.
    private var inLongLine = false

    init(_ deliver: @escaping (LinePiece) throws -> Void) {
        self.deliver = deliver
    }

    func write(_ bytes: UnsafeRawBufferPointer) throws {
        var start = 0
        while start < bytes.count {
            let rest = UnsafeRawBufferPointer(rebasing: bytes[start...])
            guard let found = rest.firstIndex(of: 0x0A) else {
                held.append(contentsOf: rest)
                if held.count > MIMEReader.longestHeldLine { try flushFragment() }
                return
            }
            let end = start + found
            if held.isEmpty {
                try line(UnsafeRawBufferPointer(rebasing: bytes[start..<end]), ended: true)
            } else {
                held.append(contentsOf: UnsafeRawBufferPointer(rebasing: bytes[start..<end]))
                let whole = held
                held = []
                try whole.withUnsafeBytes { try line($0, ended: true) }
            }
            start = end + 1
        }
    }

    func finish() throws {
        guard !held.isEmpty || inLongLine else { return }
        let rest = held
        held = []
        try rest.withUnsafeBytes { try line($0, ended: false) }
    }

    /// Delivers a complete line (or the last fragment of a long one).
    private func line(_ content: UnsafeRawBufferPointer, ended: Bool) throws {
        var content = content
        var newline = LinePiece.Newline.none
        if ended {
            newline = .lf
            if content.last == 0x0D {
                newline = .crlf
                content = UnsafeRawBufferPointer(rebasing: content.dropLast())
            }
        }
        let startsLine = !inLongLine
        inLongLine = false
        try deliver(LinePiece(content: content, newline: newline, startsLine: startsLine, endsLine: true))
    }

    /// Passes on what is held of a long line, but a final CR (which may be half of its CR LF).
    private func flushFragment() throws {
        let keep = held.last == 0x0D ? 1 : 0
        let startsLine = !inLongLine
        inLongLine = true
        try held.withUnsafeBytes { bytes in
            try deliver(
                LinePiece(
                    content: UnsafeRawBufferPointer(rebasing: bytes.dropLast(keep)), newline: .none,
                    startsLine: startsLine, endsLine: false))
        }
        held.removeFirst(held.count - keep)
    }
}

/// One entity being read: the message, a body part, or the message inside a message/rfc822 part.
final class MIMEEntity {
    private let path: String
    private let depth: Int
    private let context: MIMEReader.Context

    private enum State {
        case headers
        /// A leaf: its body goes to the delegate.
        case leaf
        /// A part not read further (past a cap, or nothing to read).
        case ignored
        case multipart(Multipart)
        case message(Nested)
    }

    private var state = State.headers
    private var headerBytes: [UInt8] = []
    /// The line break of the last line in ``headerBytes``.
    private var lastHeaderNewline = LinePiece.Newline.none
    /// Whether the first line looks like a header field (`nil` before any line).
    private var firstLineIsField: Bool?
    private var headersOverflowed = false
    /// The line break after the last body line, written only if another line follows: the break before
    /// a boundary belongs to the boundary.
    private var pendingNewline = LinePiece.Newline.none

    init(path: String, depth: Int, context: MIMEReader.Context) {
        self.path = path
        self.depth = depth
        self.context = context
    }

    func line(_ piece: LinePiece) throws {
        switch state {
        case .headers:
            try headerLine(piece)
        case .leaf:
            try body(piece) { try context.delegate.leafBody($0) }
        case .ignored:
            return
        case .multipart(let multipart):
            try multipart.line(piece)
        case .message(let nested):
            if let decoder = nested.decoder {
                try body(piece) { try decoder.write($0) }
            } else {
                try nested.child.line(piece)
            }
        }
    }

    /// The entity ends: at a boundary of an enclosing multipart, or at the end of the input.
    func end(byDelimiter: Bool) throws {
        if case .headers = state {
            if firstLineIsField ?? false {
                try headersComplete()
            } else {
                // No empty line, and the first line is no header: the part is all body.
                try becomeBodyOnly()
            }
        }
        switch state {
        case .headers, .ignored:
            return
        case .leaf:
            if !byDelimiter { try pendingNewline.withBytes { try context.delegate.leafBody($0) } }
            try context.delegate.leafEnded()
        case .multipart(let multipart):
            try multipart.end(byDelimiter: byDelimiter)
        case .message(let nested):
            if let decoder = nested.decoder {
                if !byDelimiter { try pendingNewline.withBytes { try decoder.write($0) } }
                try decoder.finish()
                try nested.child.end(byDelimiter: false)
            } else {
                try nested.child.end(byDelimiter: byDelimiter)
            }
        }
    }

    /// Writes a body line, holding its line break back until the next line comes.
    private func body(_ piece: LinePiece, to write: (UnsafeRawBufferPointer) throws -> Void) throws {
        if piece.startsLine && pendingNewline != .none { try pendingNewline.withBytes(write) }
        try write(piece.content)
        pendingNewline = piece.newline
    }

    private func headerLine(_ piece: LinePiece) throws {
        if firstLineIsField == nil {
            firstLineIsField = MIMEHeaders.isFieldLine(Array(piece.content)[...])
        }
        if piece.isWholeLine && piece.content.isEmpty && piece.newline != .none {
            try headersComplete()
            return
        }
        guard !headersOverflowed else { return }
        if headerBytes.count + piece.content.count + 2 > MIMEReader.maxHeaderBytes {
            guard firstLineIsField ?? false else {
                // Not headers after all: a part without any, its body read from the start.
                try becomeBodyOnly()
                try line(piece)
                return
            }
            headersOverflowed = true
            context.limit("a part's headers are larger than \(MIMEReader.maxHeaderBytes) bytes; the rest were not read")
            return
        }
        headerBytes.append(contentsOf: piece.content)
        headerBytes.append(contentsOf: piece.newline.bytes)
        lastHeaderNewline = piece.newline
    }

    /// The part has no header block: what was read as headers is the start of its body.
    private func becomeBodyOnly() throws {
        let held = headerBytes
        let newline = lastHeaderNewline
        headerBytes = []
        try begin(MIMEHeaders())
        let replay = held.dropLast(newline.bytes.count)
        guard !replay.isEmpty || newline != .none else { return }
        try replay.withUnsafeBytes { bytes in
            try line(LinePiece(content: bytes, newline: newline, startsLine: true, endsLine: true))
        }
    }

    private func headersComplete() throws {
        let headers = MIMEHeaders.parse(headerBytes[...])
        headerBytes = []
        try begin(headers)
    }

    /// Decides what the part is once its headers are known, and tells the delegate.
    private func begin(_ headers: MIMEHeaders) throws {
        let contentType = HeaderParameters(headers.value("Content-Type") ?? "")
        let part = MIMEPart(
            headers: headers, contentType: contentType,
            contentDisposition: headers.value("Content-Disposition").map(HeaderParameters.init), rawBody: [],
            children: [], path: path)
        let type = part.mediaType
        let boundary = contentType["boundary"] ?? ""
        let isMultipart = type.hasPrefix("multipart/") && !boundary.isEmpty
        let isMessage = type == "message/rfc822" || type == "message/global"
        if isMultipart || isMessage {
            if depth >= MIMEReader.maxDepth {
                context.limit(
                    "it nests parts deeper than \(MIMEReader.maxDepth) levels, the limit; the deeper parts were not read"
                )
            } else if context.budget <= 0 {
                context.limit(MIMEEntity.partLimit)
            } else {
                try context.delegate.partBegan(part, isLeaf: false)
                if isMultipart {
                    state = .multipart(Multipart(delimiter: Array("--\(boundary)".utf8), parent: self))
                } else {
                    context.budget -= 1
                    let child = MIMEEntity(path: path.isEmpty ? "1" : "\(path).1", depth: depth + 1, context: context)
                    state = .message(Nested(child: child, encoding: headers.value("Content-Transfer-Encoding")))
                }
                return
            }
        }
        try context.delegate.partBegan(part, isLeaf: true)
        state = .leaf
    }

    static let partLimit = "it has more than \(MIMEReader.maxParts) parts, the limit; the parts past it were not read"

    /// The message inside a message/rfc822 part, and the decoder its lines go through when the part is
    /// transfer-encoded.
    final class Nested {
        let child: MIMEEntity
        let decoder: ContentDecoder?

        init(child: MIMEEntity, encoding: String?) {
            self.child = child
            guard let encoding else {
                decoder = nil
                return
            }
            let splitter = LineSplitter { try child.line($0) }
            decoder = ContentDecoder(encoding: encoding) {
                try splitter.write($0)
            } finish: {
                try splitter.finish()
            }
        }
    }

    /// A multipart body: the parts between its delimiter lines.
    final class Multipart {
        let delimiter: [UInt8]
        unowned let parent: MIMEEntity
        private var current: MIMEEntity?
        private var count = 0
        /// After the closing delimiter, or past the part cap: the rest is not read.
        private var closed = false

        init(delimiter: [UInt8], parent: MIMEEntity) {
            self.delimiter = delimiter
            self.parent = parent
        }

        func line(_ piece: LinePiece) throws {
            guard !closed else { return }
            if piece.isWholeLine, let closing = delimiterLine(piece.content) {
                try current?.end(byDelimiter: true)
                current = nil
                guard !closing else {
                    closed = true
                    return
                }
                guard parent.context.budget > 0 else {
                    parent.context.limit(MIMEEntity.partLimit)
                    closed = true
                    return
                }
                parent.context.budget -= 1
                count += 1
                let path = parent.path.isEmpty ? "\(count)" : "\(parent.path).\(count)"
                current = MIMEEntity(path: path, depth: parent.depth + 1, context: parent.context)
                return
            }
            // Lines before the first delimiter are the preamble, dropped.
            try current?.line(piece)
        }

        func end(byDelimiter: Bool) throws {
            // A missing closing delimiter ends the last part where the multipart ends.
            try current?.end(byDelimiter: byDelimiter)
            current = nil
        }

        /// Whether the line is this multipart's delimiter (`true` for the closing one), or `nil`.
        private func delimiterLine(_ line: UnsafeRawBufferPointer) -> Bool? {
            guard line.count >= delimiter.count, line.starts(with: delimiter) else { return nil }
            var after = line[delimiter.count...]
            let closing = after.starts(with: [0x2D, 0x2D])
            if closing { after = after.dropFirst(2) }
            guard after.allSatisfy({ $0 == 0x20 || $0 == 0x09 || $0 == 0x0D }) else { return nil }
            return closing
        }
    }
}
