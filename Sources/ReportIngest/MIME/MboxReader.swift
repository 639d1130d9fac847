import Foundation

/// Splits an mbox file into its messages, streaming: a `From ` line starts a message when it opens
/// the file or follows an empty line; the empty line before it belongs to the separator. Lines
/// escaped as `>From ` (mboxrd, and mboxo's escaping read the same way) lose one `>`.
public struct MboxReader {
    private let handle: FileHandle
    private var buffer: [UInt8] = []
    private var offset = 0
    private var atEnd = false
    private let maxMessageBytes: Int

    /// - Throws: when the file cannot be opened.
    public init(path: String, maxMessageBytes: Int) throws {
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw CocoaError(.fileReadNoPermission, userInfo: [NSFilePathErrorKey: path])
        }
        self.handle = handle
        self.maxMessageBytes = maxMessageBytes
    }

    /// One message: its bytes (without the `From ` line), and whether it was cut at the size limit.
    public struct Message {
        public var bytes: [UInt8]
        public var truncated: Bool
    }

    /// The next message, or `nil` at the end of the file.
    public mutating func next() throws -> Message? {
        var message: [UInt8] = []
        var truncated = false
        var started = false
        var previousWasEmpty = true
        var pendingEmpty = false
        while let line = try nextLine() {
            let content = line.last == 0x0A ? line.dropLast() : line[...]
            let bare = content.last == 0x0D ? content.dropLast() : content
            if bare.starts(with: Self.separator) && previousWasEmpty {
                if started {
                    pushBack(line)
                    return Message(bytes: message, truncated: truncated)
                }
                started = true
                pendingEmpty = false
                previousWasEmpty = false
                continue
            }
            if !started {
                // Text before the first separator: not an mbox after all; keep it as a message.
                started = true
            }
            if pendingEmpty {
                append(Self.newline(like: line), to: &message, truncated: &truncated)
                pendingEmpty = false
            }
            if bare.isEmpty {
                pendingEmpty = true
                previousWasEmpty = true
                continue
            }
            previousWasEmpty = false
            var unescaped = line
            if let first = bare.firstIndex(where: { $0 != UInt8(ascii: ">") }), first > bare.startIndex,
                bare[first...].starts(with: Self.separator)
            {
                unescaped.removeFirst()
            }
            append(unescaped, to: &message, truncated: &truncated)
        }
        return started ? Message(bytes: message, truncated: truncated) : nil
    }

    private static let separator = Array("From ".utf8)

    private static func newline(like line: [UInt8]) -> [UInt8] {
        line.count >= 2 && line[line.count - 2] == 0x0D ? [0x0D, 0x0A] : [0x0A]
    }

    private func append(_ line: [UInt8], to message: inout [UInt8], truncated: inout Bool) {
        guard !truncated else { return }
        if message.count + line.count > maxMessageBytes {
            truncated = true
            return
        }
        message.append(contentsOf: line)
    }

    private var pushedBack: [UInt8]?

    private mutating func pushBack(_ line: [UInt8]) {
        pushedBack = line
    }

    /// The next line with its line end, or `nil` at the end of the file.
    private mutating func nextLine() throws -> [UInt8]? {
        if let line = pushedBack {
            pushedBack = nil
            return line
        }
        while true {
            if let newline = buffer[offset...].firstIndex(of: 0x0A) {
                let line = Array(buffer[offset...newline])
                offset = newline + 1
                return line
            }
            if atEnd {
                guard offset < buffer.count else { return nil }
                let line = Array(buffer[offset...])
                offset = buffer.count
                return line
            }
            buffer.removeFirst(offset)
            offset = 0
            let chunk = try handle.read(upToCount: 1 << 20) ?? Data()
            if chunk.isEmpty { atEnd = true } else { buffer.append(contentsOf: chunk) }
        }
    }
}
