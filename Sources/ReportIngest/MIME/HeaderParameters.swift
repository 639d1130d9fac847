/// A structured header value such as `Content-Type` or `Content-Disposition`: a main value and
/// `;`-separated parameters, with RFC 2231 continuations (`name*0=…; name*1=…`) joined and extended
/// values (`filename*=utf-8''%E2%80%A6`) decoded.
public struct HeaderParameters: Sendable, Equatable {
    /// The value before the first `;`, lower-cased (e.g. `multipart/mixed`, `attachment`).
    public var value: String
    /// Parameters by lower-cased name.
    public var parameters: [String: String]

    public init(_ raw: String) {
        var raw = raw
        self = raw.withUTF8 { Self(utf8: $0) }
    }

    /// Parses the header's bytes. The syntax is ASCII, and no byte of a multi-byte UTF-8 sequence is
    /// ASCII, so splitting and trimming bytes never cuts a character: working on bytes spares the
    /// per-character work that was most of the cost of reading a message's headers.
    private init(utf8 raw: UnsafeBufferPointer<UInt8>) {
        var pieces = Self.split(raw)
        value = pieces.isEmpty ? "" : Self.lowercased(Self.trimmed(pieces.removeFirst()))
        var plain: [String: String] = [:]
        var continued: [String: [(index: Int, value: String, extended: Bool)]] = [:]
        var extendedWhole: [String: String] = [:]
        for piece in pieces {
            guard let equals = piece.firstIndex(of: UInt8(ascii: "=")) else { continue }
            let name = Self.lowercased(Self.trimmed(piece[piece.startIndex..<equals]))
            let rawValue = Self.unquoted(Self.trimmed(piece[(equals + 1)...]))
            if let star = name.firstIndex(of: "*") {
                let base = String(name[name.startIndex..<star])
                let suffix = name[name.index(after: star)...]
                if suffix.isEmpty {
                    extendedWhole[base] = Self.decodeExtended(rawValue, first: true)
                } else {
                    let extended = suffix.hasSuffix("*")
                    let number = Int(extended ? suffix.dropLast() : suffix) ?? 0
                    continued[base, default: []].append((number, rawValue, extended))
                }
            } else {
                plain[name] = rawValue
            }
        }
        for (name, parts) in continued {
            let sorted = parts.sorted { $0.index < $1.index }
            var bytes: [UInt8] = []
            var charset = "utf-8"
            for (position, part) in sorted.enumerated() {
                if part.extended {
                    var text = part.value
                    if position == 0, let (set, rest) = Self.charsetPrefix(text) {
                        charset = set
                        text = rest
                    }
                    bytes += Self.percentDecoded(text)
                } else {
                    bytes += Array(part.value.utf8)
                }
            }
            plain[name] = EncodedWords.decodeCharset(bytes, charset)
        }
        for (name, value) in extendedWhole { plain[name] = value }
        parameters = plain
    }

    public subscript(_ name: String) -> String? { parameters[name.lowercased()] }

    private typealias Bytes = Slice<UnsafeBufferPointer<UInt8>>

    /// Splits at `;` outside quotes.
    private static func split(_ raw: UnsafeBufferPointer<UInt8>) -> [Bytes] {
        var pieces: [Bytes] = []
        var start = raw.startIndex
        var quoted = false
        var escaped = false
        for index in raw.indices {
            let byte = raw[index]
            if escaped {
                escaped = false
            } else if byte == UInt8(ascii: "\\") && quoted {
                escaped = true
            } else if byte == UInt8(ascii: "\"") {
                quoted.toggle()
            } else if byte == UInt8(ascii: ";") && !quoted {
                pieces.append(raw[start..<index])
                start = index + 1
            }
        }
        pieces.append(raw[start...])
        return pieces
    }

    /// Without leading and trailing spaces, tabs and line ends.
    private static func trimmed(_ bytes: Bytes) -> Bytes {
        func isSpace(_ byte: UInt8) -> Bool { byte == 0x20 || byte == 0x09 || byte == 0x0D || byte == 0x0A }
        guard let first = bytes.firstIndex(where: { !isSpace($0) }), let last = bytes.lastIndex(where: { !isSpace($0) })
        else { return bytes[bytes.startIndex..<bytes.startIndex] }
        return bytes[first...last]
    }

    /// The text with ASCII letters lower-cased (names and the main value are ASCII tokens).
    private static func lowercased(_ bytes: Bytes) -> String {
        guard bytes.contains(where: { $0 >= 0x41 && $0 <= 0x5A }) else { return String(decoding: bytes, as: UTF8.self) }
        return String(decoding: bytes.map { $0 >= 0x41 && $0 <= 0x5A ? $0 | 0x20 : $0 }, as: UTF8.self)
    }

    /// A quoted string's content with its backslash escapes undone; other text as it is.
    private static func unquoted(_ bytes: Bytes) -> String {
        guard bytes.count >= 2, bytes.first == UInt8(ascii: "\""), bytes.last == UInt8(ascii: "\"") else {
            return String(decoding: bytes, as: UTF8.self)
        }
        let inner = bytes.dropFirst().dropLast()
        guard inner.contains(UInt8(ascii: "\\")) else { return String(decoding: inner, as: UTF8.self) }
        var out: [UInt8] = []
        out.reserveCapacity(inner.count)
        var escaped = false
        for byte in inner {
            if escaped {
                out.append(byte)
                escaped = false
            } else if byte == UInt8(ascii: "\\") {
                escaped = true
            } else {
                out.append(byte)
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// `utf-8'en'rest` → ("utf-8", "rest").
    private static func charsetPrefix(_ text: String) -> (String, String)? {
        let parts = text.split(separator: "'", maxSplits: 2, omittingEmptySubsequences: false)
        guard parts.count == 3 else { return nil }
        return (parts[0].isEmpty ? "utf-8" : String(parts[0]), String(parts[2]))
    }

    private static func decodeExtended(_ text: String, first: Bool) -> String {
        guard let (charset, rest) = charsetPrefix(text) else { return text }
        return EncodedWords.decodeCharset(percentDecoded(rest), charset)
    }

    private static func percentDecoded(_ text: String) -> [UInt8] {
        var bytes: [UInt8] = []
        var iterator = Array(text.utf8)[...]
        while let byte = iterator.popFirst() {
            if byte == UInt8(ascii: "%"), iterator.count >= 2,
                let value = UInt8(String(decoding: iterator.prefix(2), as: UTF8.self), radix: 16)
            {
                bytes.append(value)
                iterator = iterator.dropFirst(2)
            } else {
                bytes.append(byte)
            }
        }
        return bytes
    }
}
