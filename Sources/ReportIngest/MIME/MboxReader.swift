import Foundation
import ReportModel

/// Splits an mbox file into its messages, streaming: a `From ` line starts a message when it opens
/// the file or follows an empty line; the empty line before it belongs to the separator. Lines
/// escaped as `>From ` (mboxrd, and mboxo's escaping read the same way) lose one `>`.
public struct MboxReader {
    private let handle: FileHandle
    private var buffer: [UInt8] = []
    private var offset = 0
    private var atEnd = false
    private let spool: Spool

    /// - Parameter memoryLimit: messages larger than this are collected in a temporary file.
    /// - Throws: when the file cannot be opened.
    public init(path: String, memoryLimit: Int) throws {
        guard let handle = SystemPath.openForReading(path) else {
            throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO, userInfo: [NSFilePathErrorKey: path])
        }
        self.handle = handle
        spool = Spool(memoryLimit: memoryLimit)
    }

    /// The next message (without its `From ` line), or `nil` at the end of the file. Lines are read in
    /// place from the buffer (a message of an mbox has dozens; copying each cost more than splitting them).
    /// - Throws: when the file cannot be read, or a large message cannot be spooled.
    public mutating func next() throws -> SpooledInput? {
        var started = false
        var previousWasEmpty = true
        var pendingEmpty = false
        while let range = try nextLine() {
            let line = buffer[range]
            let content = line.last == 0x0A ? line.dropLast() : line
            let bare = content.last == 0x0D ? content.dropLast() : content
            if bare.starts(with: Self.separator) && previousWasEmpty {
                if started {
                    pushedBack = range
                    return try spool.finish()
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
                try spool.append(Self.newline(like: line))
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
                unescaped = unescaped.dropFirst()
            }
            try spool.append(unescaped)
        }
        return started ? try spool.finish() : nil
    }

    private static let separator = Array("From ".utf8)

    private static func newline(like line: ArraySlice<UInt8>) -> ArraySlice<UInt8> {
        line.count >= 2 && line[line.endIndex - 2] == 0x0D ? [0x0D, 0x0A] : [0x0A]
    }

    /// A line handed back to be read again (the separator that ends a message starts the next).
    private var pushedBack: Range<Int>?

    /// Where the next line lies in the buffer, line end included; `nil` at the end of the file. The
    /// buffer only moves when this is called.
    private mutating func nextLine() throws -> Range<Int>? {
        if let line = pushedBack {
            pushedBack = nil
            return line
        }
        while true {
            if let newline = buffer[offset...].firstIndex(of: 0x0A) {
                defer { offset = newline + 1 }
                return offset..<(newline + 1)
            }
            if atEnd {
                guard offset < buffer.count else { return nil }
                defer { offset = buffer.count }
                return offset..<buffer.count
            }
            buffer.removeFirst(offset)
            offset = 0
            let chunk = try FileReading.read(handle.fileDescriptor, count: Self.chunkSize)
            if chunk.isEmpty { atEnd = true } else { buffer.append(contentsOf: chunk) }
        }
    }

    /// How much of the file is read at a time.
    public static let chunkSize = 1 << 20
}
