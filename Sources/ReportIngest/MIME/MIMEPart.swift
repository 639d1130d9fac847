/// A message or body part, parsed: its headers, its content type, and either its children
/// (multipart/*, message/rfc822) or its body.
public struct MIMEPart: Sendable {
    public var headers: MIMEHeaders
    public var contentType: HeaderParameters
    /// Content-Disposition, when the part has one.
    public var contentDisposition: HeaderParameters?
    /// The body as transmitted (still transfer-encoded); for a multipart, the whole multipart body.
    public var rawBody: ArraySlice<UInt8>
    /// Sub-parts of a multipart, or the single message inside a message/rfc822 part.
    public var children: [MIMEPart]
    /// Where the part sits, as "1.2" (empty for the top-level message).
    public var path: String
    /// Set on the top-level message when the parser's caps left parts unread, saying which cap.
    public var limitReached: String?

    /// `type/subtype`, lower-cased; `text/plain` when the header is missing (RFC 2045).
    public var mediaType: String {
        contentType.value.isEmpty ? "text/plain" : contentType.value
    }

    /// The attachment's name: Content-Disposition `filename`, else Content-Type `name`, with RFC 2231
    /// and RFC 2047 decoding, reduced to its last path component.
    public var filename: String? {
        guard let raw = contentDisposition?["filename"] ?? contentType["name"] else { return nil }
        let decoded = EncodedWords.decode(raw)
        let last = decoded.split(whereSeparator: { $0 == "/" || $0 == "\\" }).last.map(String.init) ?? decoded
        return last.isEmpty ? nil : last
    }

    /// Whether Content-Disposition says `attachment`.
    public var isAttachment: Bool {
        contentDisposition?.value == "attachment"
    }

    /// The body with its Content-Transfer-Encoding undone.
    public var decodedBody: [UInt8] { decoded(rawBody) }

    /// `encoded` (the body or the start of it) with the part's Content-Transfer-Encoding undone.
    public func decoded(_ encoded: ArraySlice<UInt8>) -> [UInt8] {
        switch headers.value("Content-Transfer-Encoding")?.trimmingSpaces.lowercased() {
        case "base64"?: TransferEncoding.base64(encoded)
        case "quoted-printable"?: TransferEncoding.quotedPrintable(encoded)
        default: Array(encoded)
        }
    }

    /// This part and every part below it, depth first.
    public var allParts: [MIMEPart] {
        [self] + children.flatMap(\.allParts)
    }
}

/// Reads RFC 5322 / MIME messages: CRLF or LF line ends, folded headers, multipart at any depth with
/// preamble and epilogue, a missing closing boundary, nested message/rfc822, and the transfer
/// encodings. Bounded: nesting depth and part count are capped (a message past the caps keeps what
/// was read).
public enum MIMEParser {
    public static let maxDepth = 32
    public static let maxParts = 10_000

    /// Parses a whole message.
    public static func parse(_ bytes: [UInt8]) -> MIMEPart {
        var budget = maxParts
        var limit: String?
        var message = parsePart(bytes[...], path: "", depth: 0, budget: &budget, limit: &limit)
        message.limitReached = limit
        return message
    }

    static func parsePart(
        _ bytes: ArraySlice<UInt8>, path: String, depth: Int, budget: inout Int, limit: inout String?
    ) -> MIMEPart {
        let (headerBlock, body) = splitHeaders(bytes)
        let headers = MIMEHeaders.parse(headerBlock)
        let contentType = HeaderParameters(headers.value("Content-Type") ?? "")
        var part = MIMEPart(
            headers: headers, contentType: contentType,
            contentDisposition: headers.value("Content-Disposition").map(HeaderParameters.init), rawBody: body,
            children: [], path: path)
        let type = part.mediaType
        let nests =
            (type.hasPrefix("multipart/") && !(contentType["boundary"] ?? "").isEmpty)
            || type == "message/rfc822" || type == "message/global"
        guard depth < maxDepth, budget > 0 else {
            if nests {
                limit =
                    limit
                    ?? (budget > 0
                        ? "it nests parts deeper than \(maxDepth) levels, the limit; the deeper parts were not read"
                        : "it has more than \(maxParts) parts, the limit; the parts past it were not read")
            }
            return part
        }
        if type.hasPrefix("multipart/"), let boundary = contentType["boundary"], !boundary.isEmpty {
            for (index, slice) in splitMultipart(body, boundary: boundary).enumerated() {
                guard budget > 0 else {
                    limit = limit ?? "it has more than \(maxParts) parts, the limit; the parts past it were not read"
                    break
                }
                budget -= 1
                let childPath = path.isEmpty ? "\(index + 1)" : "\(path).\(index + 1)"
                part.children.append(
                    parsePart(slice, path: childPath, depth: depth + 1, budget: &budget, limit: &limit))
            }
        } else if type == "message/rfc822" || type == "message/global" {
            budget -= 1
            let inner = part.headers.value("Content-Transfer-Encoding").map { _ in part.decodedBody[...] } ?? body
            let childPath = path.isEmpty ? "1" : "\(path).1"
            part.children.append(parsePart(inner, path: childPath, depth: depth + 1, budget: &budget, limit: &limit))
        }
        return part
    }

    /// Headers end at the first empty line (CRLF CRLF or LF LF). A part without one is all headers when
    /// its first line is a field, else all body.
    static func splitHeaders(_ bytes: ArraySlice<UInt8>) -> (ArraySlice<UInt8>, ArraySlice<UInt8>) {
        var index = bytes.startIndex
        var lineStart = index
        while index < bytes.endIndex {
            if bytes[index] == 0x0A {
                let line = bytes[lineStart..<index]
                if line.isEmpty || (line.count == 1 && line.first == 0x0D) {
                    return (bytes[bytes.startIndex..<lineStart], bytes[bytes.index(after: index)...])
                }
                lineStart = bytes.index(after: index)
            }
            index += 1
        }
        // No empty line: a body-less part, or a part with no headers at all.
        var lines = Lines(bytes)
        if let firstLine = lines.next(), MIMEHeaders.isFieldLine(firstLine) {
            return (bytes, bytes[bytes.endIndex...])
        }
        return (bytes[bytes.startIndex..<bytes.startIndex], bytes)
    }

    /// The parts between `--boundary` lines (the line break before a delimiter belongs to it); preamble
    /// and epilogue are dropped, and a missing closing delimiter ends the last part at the end.
    static func splitMultipart(_ body: ArraySlice<UInt8>, boundary: String) -> [ArraySlice<UInt8>] {
        let delimiter = Array("--\(boundary)".utf8)
        var parts: [ArraySlice<UInt8>] = []
        var partStart: Int?
        var lineStart = body.startIndex
        while lineStart < body.endIndex {
            let lineEnd = body[lineStart...].firstIndex(of: 0x0A) ?? body.endIndex
            let line = body[lineStart..<lineEnd]
            if line.starts(with: delimiter) {
                let after = line.dropFirst(delimiter.count)
                let closing = after.starts(with: [0x2D, 0x2D])
                let trailing = closing ? after.dropFirst(2) : after
                if trailing.allSatisfy({ $0 == 0x20 || $0 == 0x09 || $0 == 0x0D }) {
                    if let start = partStart {
                        var end = lineStart
                        if end > start, body[end - 1] == 0x0A { end -= 1 }
                        if end > start, body[end - 1] == 0x0D { end -= 1 }
                        parts.append(body[start..<max(start, end)])
                    }
                    if closing { return parts }
                    partStart = lineEnd < body.endIndex ? lineEnd + 1 : body.endIndex
                }
            }
            lineStart = lineEnd < body.endIndex ? lineEnd + 1 : body.endIndex
        }
        if let start = partStart, start < body.endIndex { parts.append(body[start...]) }
        return parts
    }
}
