/// A message or body part, parsed: its headers, its content type, and either its children
/// (multipart/*, message/rfc822) or its body.
public struct MIMEPart: Sendable {
    public var headers: MIMEHeaders
    public var contentType: HeaderParameters
    /// Content-Disposition, when the part has one.
    public var contentDisposition: HeaderParameters?
    /// The body as transmitted (still transfer-encoded); empty for a part with children (read as it
    /// streams, a multipart's body is its children).
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

/// Reads a whole message held in memory into its tree of parts (with ``MIMEReader``, which streams:
/// the import reads messages that way; this is for tests and small messages).
public enum MIMEParser {
    public static func parse(_ bytes: [UInt8]) -> MIMEPart {
        let collector = PartCollector()
        let reader = MIMEReader(delegate: collector)
        // The collector throws nothing, and neither does the reader of its own.
        try? bytes.withUnsafeBytes { try reader.write($0) }
        try? reader.finish()
        var message =
            collector.root
            ?? MIMEPart(headers: MIMEHeaders(), contentType: HeaderParameters(""), rawBody: [], children: [], path: "")
        message.limitReached = reader.limitReached
        return message
    }

    /// Builds the tree from the reader's events: parts are nested by their paths.
    private final class PartCollector: MIMEReaderDelegate {
        var root: MIMEPart?
        private var body: [UInt8] = []

        func partBegan(_ part: MIMEPart, isLeaf: Bool) throws {
            guard var root else {
                root = part
                return
            }
            Self.insert(part, into: &root)
            self.root = root
        }

        func leafBody(_ bytes: UnsafeRawBufferPointer) throws {
            body.append(contentsOf: bytes)
        }

        func leafEnded() throws {
            guard var root else { return }
            Self.setBody(body, into: &root)
            self.root = root
            body = []
        }

        /// The last leaf begun is the last part in depth-first order.
        private static func setBody(_ body: [UInt8], into part: inout MIMEPart) {
            if part.children.isEmpty {
                part.rawBody = body[...]
            } else {
                setBody(body, into: &part.children[part.children.count - 1])
            }
        }

        /// A part goes under the deepest part whose path is a prefix of its own.
        private static func insert(_ child: MIMEPart, into part: inout MIMEPart) {
            if let last = part.children.indices.last, child.path.hasPrefix(part.children[last].path + ".") {
                insert(child, into: &part.children[last])
            } else {
                part.children.append(child)
            }
        }
    }
}
