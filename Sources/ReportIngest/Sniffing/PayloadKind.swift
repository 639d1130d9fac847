/// What a run of bytes is, judged from its first bytes only.
public enum PayloadKind: String, Sendable, Equatable {
    case gzip, zlib, zip, xml, json
    /// An RFC 5322 message (an .eml file, a message from an MTA).
    case mail
    case unknown

    /// Bytes needed before ``Sniffer/sniff(_:isComplete:)`` can decide in the common case.
    static let headLength = 512
}

/// Decides a payload's kind by magic bytes, never by name or Content-Type.
public enum Sniffer {
    /// - Parameters:
    ///   - head: the first bytes of the payload.
    ///   - isComplete: true when `head` is the whole payload (no more bytes will come).
    /// - Returns: the kind, or `nil` when more bytes are needed to decide.
    public static func sniff(_ head: some Collection<UInt8>, isComplete: Bool) -> PayloadKind? {
        let bytes = Array(head.prefix(PayloadKind.headLength))
        if bytes.count >= 2, bytes[0] == 0x1F, bytes[1] == 0x8B { return .gzip }
        if bytes.count >= 4, bytes[0] == 0x50, bytes[1] == 0x4B,
            (bytes[2] == 0x03 && bytes[3] == 0x04) || (bytes[2] == 0x05 && bytes[3] == 0x06)
        {
            return .zip
        }
        if bytes.count >= 2, isZlibHeader(bytes[0], bytes[1]) { return .zlib }
        // Text: skip a byte-order mark and white space, then look at the first character.
        var index = 0
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { index = 3 }
        if bytes.starts(with: [0xFF, 0xFE]) || bytes.starts(with: [0xFE, 0xFF]) {
            return utf16Kind(bytes)
        }
        while index < bytes.count, [0x20, 0x09, 0x0A, 0x0D].contains(bytes[index]) { index += 1 }
        guard index < bytes.count else {
            // Only white space so far.
            return isComplete || head.count >= 64 * 1024 ? .unknown : nil
        }
        switch bytes[index] {
        case UInt8(ascii: "<"): return .xml
        case UInt8(ascii: "{"), UInt8(ascii: "["): return .json
        default:
            if isMessage(Array(head.prefix(8192))) { return .mail }
            // A header block may not show itself in its first few bytes: wait for more.
            return isComplete || head.count >= 8192 ? .unknown : nil
        }
    }

    /// Fields every real message has some of.
    private static let messageFields: Set<String> = [
        "received", "return-path", "from", "to", "subject", "date", "message-id", "mime-version", "content-type",
        "delivered-to",
    ]

    /// Whether the bytes start with the header block of an e-mail message: every line a field (or a
    /// folded continuation) up to the first empty line or the end of what was read, and at least one
    /// of them a field that messages carry.
    static func isMessage(_ bytes: [UInt8]) -> Bool {
        var sawMessageField = false
        var lines = 0
        var misfolded = 0
        var start = 0
        while start < bytes.count, lines < 64 {
            guard let newline = bytes[start...].firstIndex(of: 0x0A) else { break }
            var line = bytes[start..<newline]
            if line.last == 0x0D { line = line.dropLast() }
            start = newline + 1
            if line.isEmpty { break }
            lines += 1
            if line.first == 0x20 || line.first == 0x09 {
                if lines == 1 { return false }
                continue
            }
            guard let colon = line.firstIndex(of: UInt8(ascii: ":")), colon > line.startIndex,
                line[line.startIndex..<colon].allSatisfy({ $0 > 0x20 && $0 < 0x7F })
            else {
                // A continuation without its leading space (some Microsoft mail): tolerated, not first.
                if lines == 1 { return false }
                misfolded += 1
                continue
            }
            let name = String(decoding: line[line.startIndex..<colon], as: UTF8.self).lowercased()
            if messageFields.contains(name) { sawMessageField = true }
        }
        // A field line longer than what was read (a huge header) still counts, by its name.
        if lines < 64, start < bytes.count, let colon = bytes[start...].prefix(200).firstIndex(of: UInt8(ascii: ":")),
            colon > start, bytes[start..<colon].allSatisfy({ $0 > 0x20 && $0 < 0x7F })
        {
            lines += 1
            if messageFields.contains(String(decoding: bytes[start..<colon], as: UTF8.self).lowercased()) {
                sawMessageField = true
            }
        }
        return sawMessageField && lines >= 2 && misfolded * 4 < lines
    }

    /// Whether a file is an mbox: it starts with a `From ` separator line.
    public static func isMbox(_ head: some Collection<UInt8>) -> Bool {
        head.starts(with: Array("From ".utf8))
    }

    /// The number of leading bytes that are a UTF-8 byte-order mark (0 or 3).
    public static func byteOrderMarkLength(_ head: some Collection<UInt8>) -> Int {
        head.starts(with: [0xEF, 0xBB, 0xBF]) ? 3 : 0
    }

    /// A zlib (RFC 1950) header: deflate method, window ≤ 32 KiB, and a valid check value.
    static func isZlibHeader(_ cmf: UInt8, _ flg: UInt8) -> Bool {
        cmf & 0x0F == 8 && cmf >> 4 <= 7 && (UInt16(cmf) << 8 | UInt16(flg)) % 31 == 0
    }

    private static func utf16Kind(_ bytes: [UInt8]) -> PayloadKind {
        let littleEndian = bytes[0] == 0xFF
        var index = 2
        while index + 1 < bytes.count {
            let unit =
                littleEndian
                ? UInt16(bytes[index]) | UInt16(bytes[index + 1]) << 8
                : UInt16(bytes[index]) << 8 | UInt16(bytes[index + 1])
            index += 2
            if [0x20, 0x09, 0x0A, 0x0D].contains(unit) { continue }
            if unit == UInt16(ascii: "<") { return .xml }
            if unit == UInt16(ascii: "{") || unit == UInt16(ascii: "[") { return .json }
            return .unknown
        }
        return .unknown
    }

    /// What the first bytes look like, in words, for error messages. Never the bytes themselves: a
    /// rejected input may be anything (a symbolic link to a secret, a stranger's attachment), and its
    /// reason is printed, exported and mailed.
    public static func describe(_ head: some Collection<UInt8>) -> String {
        let bytes = Array(head.prefix(512))
        guard !bytes.isEmpty else { return "nothing" }
        let lowered = String(decoding: bytes.prefix(64), as: UTF8.self).lowercased()
            .trimmingPrefix(while: { $0 == " " || $0 == "\n" || $0 == "\r" || $0 == "\t" })
        let signatures: [(prefix: [UInt8], name: String)] = [
            (Array("%PDF".utf8), "a PDF document"), ([0x89, 0x50, 0x4E, 0x47], "a PNG image"),
            ([0xFF, 0xD8, 0xFF], "a JPEG image"), (Array("GIF8".utf8), "a GIF image"),
            ([0x42, 0x5A, 0x68], "bzip2 data"), ([0xFD, 0x37, 0x7A, 0x58, 0x5A], "xz data"),
            ([0x28, 0xB5, 0x2F, 0xFD], "zstd data"), (Array("Rar!".utf8), "a RAR archive"),
            (Array("7z".utf8) + [0xBC, 0xAF], "a 7-Zip archive"), ([0x7F, 0x45, 0x4C, 0x46], "an ELF executable"),
        ]
        if let known = signatures.first(where: { bytes.starts(with: $0.prefix) }) { return known.name }
        if lowered.hasPrefix("<!doctype html") || lowered.hasPrefix("<html") { return "an HTML document" }
        let text = bytes.allSatisfy { $0 >= 0x20 || $0 == 0x09 || $0 == 0x0A || $0 == 0x0D }
        if text && String(validating: bytes, as: UTF8.self) != nil { return "plain text" }
        return "binary data"
    }
}

extension UInt16 {
    fileprivate init(ascii: Unicode.Scalar) { self = UInt16(ascii.value) }
}
