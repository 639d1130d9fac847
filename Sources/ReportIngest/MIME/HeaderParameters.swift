/// A structured header value such as `Content-Type` or `Content-Disposition`: a main value and
/// `;`-separated parameters, with RFC 2231 continuations (`name*0=…; name*1=…`) joined and extended
/// values (`filename*=utf-8''%E2%80%A6`) decoded.
public struct HeaderParameters: Sendable, Equatable {
    /// The value before the first `;`, lower-cased (e.g. `multipart/mixed`, `attachment`).
    public var value: String
    /// Parameters by lower-cased name.
    public var parameters: [String: String]

    public init(_ raw: String) {
        var pieces = Self.split(raw)
        value = pieces.isEmpty ? "" : pieces.removeFirst().trimmingSpaces.lowercased()
        var plain: [String: String] = [:]
        var continued: [String: [(index: Int, value: String, extended: Bool)]] = [:]
        var extendedWhole: [String: String] = [:]
        for piece in pieces {
            guard let equals = piece.firstIndex(of: "=") else { continue }
            let name = String(piece[piece.startIndex..<equals]).trimmingSpaces.lowercased()
            let rawValue = Self.unquote(String(piece[piece.index(after: equals)...]).trimmingSpaces)
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

    /// Splits at `;` outside quotes. Works on Unicode scalars: the syntax is ASCII, and grapheme breaking
    /// per character was most of the cost of reading a message's headers.
    private static func split(_ raw: String) -> [String] {
        let scalars = raw.unicodeScalars
        var pieces: [String] = []
        var start = scalars.startIndex
        var quoted = false
        var escaped = false
        var index = start
        while index < scalars.endIndex {
            let scalar = scalars[index]
            if escaped {
                escaped = false
            } else if scalar == "\\" && quoted {
                escaped = true
            } else if scalar == "\"" {
                quoted.toggle()
            } else if scalar == ";" && !quoted {
                pieces.append(String(scalars[start..<index]))
                start = scalars.index(after: index)
            }
            index = scalars.index(after: index)
        }
        pieces.append(String(scalars[start...]))
        return pieces
    }

    private static func unquote(_ value: String) -> String {
        let scalars = value.unicodeScalars
        guard scalars.count >= 2, scalars.first == "\"", scalars.last == "\"" else { return value }
        var out = String.UnicodeScalarView()
        var escaped = false
        for scalar in scalars.dropFirst().dropLast() {
            if escaped {
                out.append(scalar)
                escaped = false
            } else if scalar == "\\" {
                escaped = true
            } else {
                out.append(scalar)
            }
        }
        return String(out)
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
