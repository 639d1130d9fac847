/// Content-Transfer-Encoding decoders, lenient the way real mail needs: base64 with line breaks, stray
/// white space and missing padding; quoted-printable with soft line breaks and bad escapes kept as is.
public enum TransferEncoding {
    private static let base64Values: [Int8] = {
        var table = [Int8](repeating: -1, count: 256)
        for (index, character) in "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8.enumerated() {
            table[Int(character)] = Int8(index)
        }
        table[Int(UInt8(ascii: "-"))] = 62  // URL-safe alphabet, seen in the wild
        table[Int(UInt8(ascii: "_"))] = 63
        return table
    }()

    /// Decodes base64, skipping every byte outside the alphabet and stopping at padding.
    public static func base64(_ input: ArraySlice<UInt8>) -> [UInt8] {
        var output: [UInt8] = []
        output.reserveCapacity(input.count * 3 / 4)
        var decoder = Base64Decoder()
        input.withUnsafeBytes { decoder.decode($0, into: &output) }
        return output
    }

    /// A base64 decoder that takes its input in pieces.
    struct Base64Decoder {
        private var accumulator: UInt32 = 0
        private var bits = 0
        /// Padding was seen: what follows is not data.
        private var ended = false

        mutating func decode(_ input: UnsafeRawBufferPointer, into output: inout [UInt8]) {
            guard !ended, !input.isEmpty else { return }
            let start = output.count
            output.append(contentsOf: repeatElement(0, count: input.count * 3 / 4 + 3))
            var produced = start
            var accumulator = self.accumulator
            var bits = self.bits
            let ended: Bool = output.withUnsafeMutableBufferPointer { out in
                base64Values.withUnsafeBufferPointer { table in
                    for byte in input {
                        if byte == UInt8(ascii: "=") { return true }
                        let value = table[Int(byte)]
                        if value < 0 { continue }
                        accumulator = accumulator << 6 | UInt32(value)
                        bits += 6
                        if bits >= 8 {
                            bits -= 8
                            out[produced] = UInt8(truncatingIfNeeded: accumulator >> UInt32(bits))
                            produced += 1
                        }
                    }
                    return false
                }
            }
            output.removeLast(output.count - produced)
            self.accumulator = accumulator
            self.bits = bits
            self.ended = ended
        }
    }

    /// Whether the bytes could be base64 text (only its alphabet, padding and white space).
    public static func looksLikeBase64(_ input: ArraySlice<UInt8>) -> Bool {
        var count = 0
        for byte in input {
            if byte == 0x0A || byte == 0x0D || byte == 0x20 || byte == 0x09 || byte == UInt8(ascii: "=") { continue }
            guard base64Values[Int(byte)] >= 0 else { return false }
            count += 1
        }
        return count >= 16
    }

    /// Decodes quoted-printable. In header encoded words (`underscoreIsSpace`) `_` is a space.
    public static func quotedPrintable(_ input: ArraySlice<UInt8>, underscoreIsSpace: Bool = false) -> [UInt8] {
        var output: [UInt8] = []
        output.reserveCapacity(input.count)
        var decoder = QuotedPrintableDecoder(underscoreIsSpace: underscoreIsSpace)
        input.withUnsafeBytes { decoder.decode($0, final: true, into: &output) }
        return output
    }

    /// A quoted-printable decoder that takes its input in pieces: an escape cut between two pieces is
    /// held until the next.
    struct QuotedPrintableDecoder {
        var underscoreIsSpace = false
        /// An `=` and what follows it, waiting for the bytes that say what it is.
        private var carry: [UInt8] = []

        init(underscoreIsSpace: Bool = false) {
            self.underscoreIsSpace = underscoreIsSpace
        }

        /// - Parameter final: no input follows (an escape cut at the end is what it is).
        mutating func decode(_ input: UnsafeRawBufferPointer, final: Bool, into output: inout [UInt8]) {
            guard carry.isEmpty else {
                var joined = carry
                carry = []
                joined.append(contentsOf: input)
                joined.withUnsafeBytes { decodeRun($0, final: final, into: &output) }
                return
            }
            decodeRun(input, final: final, into: &output)
        }

        /// The longest `=` plus white space held back waiting for a line break.
        private static let longestCarry = 1024

        private mutating func decodeRun(_ input: UnsafeRawBufferPointer, final: Bool, into output: inout [UInt8]) {
            var index = 0
            let end = input.count
            while index < end {
                let byte = input[index]
                guard byte == UInt8(ascii: "=") else {
                    output.append(underscoreIsSpace && byte == UInt8(ascii: "_") ? 0x20 : byte)
                    index += 1
                    continue
                }
                let next = index + 1
                // Soft line break: "=" then optional white space then CRLF or LF.
                var probe = next
                while probe < end, input[probe] == 0x20 || input[probe] == 0x09 { probe += 1 }
                let cut = probe == end || (input[probe] == 0x0D && probe + 1 == end) || next + 1 >= end
                if cut && !final && end - index <= Self.longestCarry {
                    carry = Array(input[index...])
                    return
                }
                if probe < end, input[probe] == 0x0D || input[probe] == 0x0A {
                    if input[probe] == 0x0D, probe + 1 < end, input[probe + 1] == 0x0A { probe += 1 }
                    index = probe + 1
                    continue
                }
                if probe == end && final {
                    index = probe
                    continue
                }
                if next + 1 < end, let high = hex(input[next]), let low = hex(input[next + 1]) {
                    output.append(high << 4 | low)
                    index = next + 2
                    continue
                }
                output.append(byte)
                index = next
            }
        }
    }

    fileprivate static func hex(_ byte: UInt8) -> UInt8? {
        switch byte {
        case 0x30...0x39: byte - 0x30
        case 0x41...0x46: byte - 0x41 + 10
        case 0x61...0x66: byte - 0x61 + 10
        default: nil
        }
    }
}

/// Undoes a part's Content-Transfer-Encoding as its body streams, passing the decoded bytes on.
final class ContentDecoder {
    private enum Kind {
        case identity, base64, quotedPrintable
    }

    private let kind: Kind
    // The decoders are stored apart from `kind`, so that each write mutates them in place.
    private var base64 = TransferEncoding.Base64Decoder()
    private var quotedPrintable = TransferEncoding.QuotedPrintableDecoder()
    private let output: (UnsafeRawBufferPointer) throws -> Void
    private let ended: () throws -> Void
    private var decoded: [UInt8] = []

    /// - Parameter encoding: the Content-Transfer-Encoding header's value (`nil`, `7bit`, `8bit` and
    ///   `binary` pass bytes as they are).
    init(
        encoding: String?, output: @escaping (UnsafeRawBufferPointer) throws -> Void,
        finish: @escaping () throws -> Void = {}
    ) {
        switch encoding?.trimmingSpaces.lowercased() {
        case "base64"?: kind = .base64
        case "quoted-printable"?: kind = .quotedPrintable
        default: kind = .identity
        }
        self.output = output
        self.ended = finish
        decoded.reserveCapacity(4096)
    }

    func write(_ raw: UnsafeRawBufferPointer) throws {
        switch kind {
        case .identity:
            try output(raw)
            return
        case .base64:
            base64.decode(raw, into: &decoded)
        case .quotedPrintable:
            quotedPrintable.decode(raw, final: false, into: &decoded)
        }
        // Passed on in runs of a few kilobytes: a base64 line decodes to 57 bytes.
        if decoded.count >= 4096 { try flush() }
    }

    func finish() throws {
        if kind == .quotedPrintable {
            quotedPrintable.decode(UnsafeRawBufferPointer(start: nil, count: 0), final: true, into: &decoded)
        }
        try flush()
        try ended()
    }

    private func flush() throws {
        guard !decoded.isEmpty else { return }
        try decoded.withUnsafeBytes { try output($0) }
        decoded.removeAll(keepingCapacity: true)
    }
}
