import Glibc

/// Watches the bytes on their way to libxml2 for start tags with more attributes than any aggregate
/// report has (they carry none beyond namespace and schema declarations). libxml2 2.9 checks a tag's
/// attributes for duplicates pairwise: 800,000 attributes on one element (1.9 MB gzipped) cost it six
/// minutes. The guard counts `=` outside quoted values in each start tag, across chunk boundaries, and
/// trips before libxml2 has the tag.
struct MarkupGuard {
    static let maxAttributes = 256

    private enum State {
        case text
        /// After `<`.
        case tagOpen
        case startTag
        case quoted(UInt8)
        /// An end tag, or a declaration other than a comment or CDATA: up to `>`.
        case untilClose
        /// After `<!`.
        case bang
        /// After `<!-`.
        case bangDash
        /// Inside `<!-- … -->`, with how many `-` were just seen.
        case comment(dashes: Int)
        /// Inside `<![ … ]]>`, with how many `]` were just seen.
        case cdata(brackets: Int)
        /// Inside `<? … ?>`, whether `?` was just seen.
        case instruction(question: Bool)
    }

    private var state = State.text
    private var attributes = 0

    /// Scans the next bytes; `false` once a start tag has more than ``maxAttributes`` attributes. Text,
    /// quoted values and end tags are skipped with memchr; a start tag's name and attributes in a tight
    /// loop: reports are mostly short tags.
    mutating func scan(_ bytes: UnsafeRawBufferPointer) -> Bool {
        guard let base = bytes.baseAddress?.assumingMemoryBound(to: UInt8.self) else { return true }
        let count = bytes.count
        var index = 0
        /// The index after the next `byte` at or past `index`, or `nil` when the chunk has none.
        func after(_ byte: UInt8) -> Int? {
            guard let found = memchr(base + index, Int32(byte), count - index) else { return nil }
            return UnsafeRawPointer(base).distance(to: UnsafeRawPointer(found)) + 1
        }
        var triedShortcut = false
        while index < count {
            if case .text = state, !triedShortcut {
                triedShortcut = true
                switch shortcut(base + index, count - index) {
                case .betweenTags:
                    return true
                case .insideTag(let after):
                    index += after
                    state = .tagOpen
                    continue
                case .byteByByte:
                    break
                }
            }
            switch state {
            case .text, .untilClose:
                let isText = if case .text = state { true } else { false }
                guard let next = after(isText ? UInt8(ascii: "<") : UInt8(ascii: ">")) else { return true }
                index = next
                state = isText ? .tagOpen : .text
            case .quoted(let quote):
                guard let next = after(quote) else { return true }
                index = next
                state = .startTag
            case .startTag:
                while index < count {
                    let byte = base[index]
                    index += 1
                    if byte == UInt8(ascii: ">") {
                        state = .text
                        break
                    } else if byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "'") {
                        state = .quoted(byte)
                        break
                    } else if byte == UInt8(ascii: "=") {
                        attributes += 1
                        if attributes > Self.maxAttributes { return false }
                    }
                }
            default:
                let byte = base[index]
                index += 1
                step(byte)
            }
        }
        return true
    }

    /// The bytes without which no attribute (`=`), comment or CDATA (`!`) or instruction (`?`) starts.
    private static let markupStarts: [UInt8] = [UInt8(ascii: "="), UInt8(ascii: "!"), UInt8(ascii: "?")]

    private enum Shortcut {
        /// The chunk ends between tags.
        case betweenTags
        /// The chunk ends inside the tag whose `<` is just before this offset.
        case insideTag(after: Int)
        /// The chunk needs reading byte by byte.
        case byteByByte
    }

    /// The rest of a chunk, from a point between tags, when it holds no `=`, `!` or `?`: no attribute,
    /// comment, CDATA section or instruction can start in it, so only where its last tag stands matters
    /// (nearly every chunk of a report: this is what keeps the guard cheap).
    private func shortcut(_ start: UnsafePointer<UInt8>, _ length: Int) -> Shortcut {
        for byte in Self.markupStarts where memchr(start, Int32(byte), length) != nil {
            return .byteByByte
        }
        // The last `<` (a report's tags are short: a few steps back from the end).
        var open = length - 1
        while open >= 0 && start[open] != UInt8(ascii: "<") { open -= 1 }
        guard open >= 0 else { return .betweenTags }
        let after = open + 1
        if after < length, memchr(start + after, Int32(UInt8(ascii: ">")), length - after) != nil {
            return .betweenTags
        }
        return .insideTag(after: after)
    }

    /// One byte in the rarer states: a tag's first byte, comments, CDATA, processing instructions.
    private mutating func step(_ byte: UInt8) {
        switch state {
        case .tagOpen:
            switch byte {
            case UInt8(ascii: "/"): state = .untilClose
            case UInt8(ascii: "!"): state = .bang
            case UInt8(ascii: "?"): state = .instruction(question: false)
            default:
                attributes = 0
                state = byte == UInt8(ascii: ">") ? .text : .startTag
            }
        case .bang:
            state =
                byte == UInt8(ascii: "-") ? .bangDash : byte == UInt8(ascii: "[") ? .cdata(brackets: 0) : .untilClose
        case .bangDash:
            state = byte == UInt8(ascii: "-") ? .comment(dashes: 0) : .untilClose
        case .comment(let dashes):
            if byte == UInt8(ascii: ">") && dashes >= 2 {
                state = .text
            } else {
                state = .comment(dashes: byte == UInt8(ascii: "-") ? dashes + 1 : 0)
            }
        case .cdata(let brackets):
            if byte == UInt8(ascii: ">") && brackets >= 2 {
                state = .text
            } else {
                state = .cdata(brackets: byte == UInt8(ascii: "]") ? brackets + 1 : 0)
            }
        case .instruction(let question):
            state = byte == UInt8(ascii: ">") && question ? .text : .instruction(question: byte == UInt8(ascii: "?"))
        case .text, .untilClose, .quoted, .startTag:
            break
        }
    }
}
