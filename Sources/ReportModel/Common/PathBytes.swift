/// File names are bytes on Linux, and Rua keeps paths in Strings. A byte that is not part of valid UTF-8
/// is kept as the private-use scalar U+10FF00 + byte, so that a name goes from bytes to a String and
/// back unchanged (`rapport_soci\xE9t\xE9.xml` in Latin-1 is found, read, stored and named). A real
/// U+10FFxx in a name is kept the same way, byte by byte, so the mapping stays one to one.
public enum PathBytes {
    static let escapeBase: UInt32 = 0x10FF00

    /// The path for these bytes.
    public static func string(_ bytes: some Collection<UInt8>) -> String {
        let array = Array(bytes)
        if let plain = String(validating: array, as: UTF8.self), !hasEscapes(plain) { return plain }
        var scalars = String.UnicodeScalarView()
        var index = 0
        while index < array.count {
            let lead = array[index]
            let length =
                lead < 0x80 ? 1 : lead & 0xE0 == 0xC0 ? 2 : lead & 0xF0 == 0xE0 ? 3 : lead & 0xF8 == 0xF0 ? 4 : 0
            if length > 0, index + length <= array.count,
                let scalar = String(validating: array[index..<(index + length)], as: UTF8.self)?.unicodeScalars.first,
                !isEscape(scalar)
            {
                scalars.append(scalar)
                index += length
            } else {
                // Not UTF-8 (or a scalar of the escape range itself): this byte alone, escaped.
                scalars.append(Unicode.Scalar(escapeBase + UInt32(lead))!)
                index += 1
            }
        }
        return String(scalars)
    }

    /// The bytes `path` stands for.
    public static func bytes(_ path: String) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(path.utf8.count)
        for scalar in path.unicodeScalars {
            if isEscape(scalar) {
                out.append(UInt8(scalar.value - escapeBase))
            } else {
                out.append(contentsOf: String(scalar).utf8)
            }
        }
        return out
    }

    /// Whether `scalar` stands for a byte that is not UTF-8.
    public static func isEscape(_ scalar: Unicode.Scalar) -> Bool {
        scalar.value >= escapeBase && scalar.value <= escapeBase + 0xFF
    }

    /// Whether `path` holds bytes that are not UTF-8 (and so must be opened through ``bytes(_:)``).
    public static func hasEscapes(_ path: String) -> Bool {
        path.unicodeScalars.contains(where: isEscape)
    }

    /// `path` for people: each byte that is not UTF-8 written as `\xE9`.
    public static func displayed(_ path: String) -> String {
        guard hasEscapes(path) else { return path }
        var out = ""
        for scalar in path.unicodeScalars {
            if isEscape(scalar) {
                let byte = scalar.value - escapeBase
                out += "\\x" + (byte < 16 ? "0" : "") + String(byte, radix: 16, uppercase: true)
            } else {
                out.unicodeScalars.append(scalar)
            }
        }
        return out
    }
}
