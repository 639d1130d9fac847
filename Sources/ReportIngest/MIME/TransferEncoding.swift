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
        var accumulator: UInt32 = 0
        var bits = 0
        for byte in input {
            if byte == UInt8(ascii: "=") { break }
            let value = base64Values[Int(byte)]
            if value < 0 { continue }
            accumulator = accumulator << 6 | UInt32(value)
            bits += 6
            if bits >= 8 {
                bits -= 8
                output.append(UInt8(truncatingIfNeeded: accumulator >> UInt32(bits)))
            }
        }
        return output
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
        var index = input.startIndex
        while index < input.endIndex {
            let byte = input[index]
            if byte == UInt8(ascii: "=") {
                let next = input.index(after: index)
                // Soft line break: "=" then optional white space then CRLF or LF.
                var probe = next
                while probe < input.endIndex, input[probe] == 0x20 || input[probe] == 0x09 { probe += 1 }
                if probe < input.endIndex, input[probe] == 0x0D || input[probe] == 0x0A {
                    if input[probe] == 0x0D, probe + 1 < input.endIndex, input[probe + 1] == 0x0A { probe += 1 }
                    index = probe + 1
                    continue
                }
                if probe == input.endIndex {
                    index = probe
                    continue
                }
                if next + 1 < input.endIndex, let high = hex(input[next]), let low = hex(input[next + 1]) {
                    output.append(high << 4 | low)
                    index = next + 2
                    continue
                }
                output.append(byte)
                index = next
                continue
            }
            output.append(underscoreIsSpace && byte == UInt8(ascii: "_") ? 0x20 : byte)
            index += 1
        }
        return output
    }

    private static func hex(_ byte: UInt8) -> UInt8? {
        switch byte {
        case 0x30...0x39: byte - 0x30
        case 0x41...0x46: byte - 0x41 + 10
        case 0x61...0x66: byte - 0x61 + 10
        default: nil
        }
    }
}
