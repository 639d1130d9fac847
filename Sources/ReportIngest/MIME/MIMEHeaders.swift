/// The header fields of a message or body part, unfolded, in order.
public struct MIMEHeaders: Sendable, Equatable {
    public struct Field: Sendable, Equatable {
        public var name: String
        /// The value as sent, unfolded, not yet decoded (RFC 2047 words still encoded).
        public var value: String
    }

    public var fields: [Field]

    public init(fields: [Field] = []) {
        self.fields = fields
    }

    /// The first field of this name (case-insensitive), raw.
    public func value(_ name: String) -> String? {
        fields.first { Self.sameName($0.name, name) }?.value
    }

    /// ASCII case-insensitive equality of field names, without building lower-cased copies.
    static func sameName(_ a: String, _ b: String) -> Bool {
        var left = a.utf8.makeIterator()
        var right = b.utf8.makeIterator()
        while true {
            switch (left.next(), right.next()) {
            case (nil, nil): return true
            case (let x?, let y?):
                if x == y { continue }
                let lowerX = x >= 0x41 && x <= 0x5A ? x | 0x20 : x
                let lowerY = y >= 0x41 && y <= 0x5A ? y | 0x20 : y
                if lowerX != lowerY { return false }
            default: return false
            }
        }
    }

    /// The first field of this name with RFC 2047 encoded words decoded.
    public func decoded(_ name: String) -> String? {
        value(name).map(EncodedWords.decode)
    }

    /// Parses a header block (the bytes before the first empty line). Folded lines are joined; a line
    /// that is neither a field nor indented (the malformed folding some Microsoft mail has) continues
    /// the field before it.
    static func parse(_ block: ArraySlice<UInt8>) -> MIMEHeaders {
        var fields: [Field] = []
        for line in Lines(block) {
            let text = String(decoding: line, as: UTF8.self)
            let first = line.first
            if first == 0x20 || first == 0x09 || (!fields.isEmpty && !Self.isFieldLine(line)) {
                guard !fields.isEmpty else { continue }
                fields[fields.count - 1].value += " " + text.trimmingSpaces
                continue
            }
            guard let colon = line.firstIndex(of: UInt8(ascii: ":")) else { continue }
            let name = String(decoding: line[line.startIndex..<colon], as: UTF8.self).trimmingSpaces
            let value = String(decoding: line[line.index(after: colon)...], as: UTF8.self).trimmingSpaces
            fields.append(Field(name: name, value: value))
        }
        return MIMEHeaders(fields: fields)
    }

    /// `Name:` at the start of a line: printable characters other than space and colon, then a colon.
    static func isFieldLine(_ line: ArraySlice<UInt8>) -> Bool {
        var sawName = false
        for byte in line {
            if byte == UInt8(ascii: ":") { return sawName }
            if byte <= 0x20 || byte >= 0x7F { return false }
            sawName = true
        }
        return false
    }
}

/// The lines of a byte range, without their CR LF or LF.
struct Lines: Sequence, IteratorProtocol {
    private var rest: ArraySlice<UInt8>

    init(_ bytes: ArraySlice<UInt8>) {
        rest = bytes
    }

    mutating func next() -> ArraySlice<UInt8>? {
        guard !rest.isEmpty else { return nil }
        guard let newline = rest.firstIndex(of: 0x0A) else {
            defer { rest = rest[rest.endIndex...] }
            return rest.last == 0x0D ? rest.dropLast() : rest
        }
        var line = rest[rest.startIndex..<newline]
        if line.last == 0x0D { line = line.dropLast() }
        rest = rest[rest.index(after: newline)...]
        return line
    }
}

extension String {
    var trimmingSpaces: String {
        let scalars = unicodeScalars
        guard let first = scalars.firstIndex(where: { $0 != " " && $0 != "\t" && $0 != "\r" && $0 != "\n" }),
            let last = scalars.lastIndex(where: { $0 != " " && $0 != "\t" && $0 != "\r" && $0 != "\n" })
        else { return "" }
        return String(scalars[first...last])
    }
}
