import Foundation
import ReportModel

/// Command-line arguments as the bytes the shell passed. Swift decodes them as UTF-8, replacing what is
/// not (a file name in Latin-1) with U+FFFD, and such a name then names no file; the raw bytes find it.
enum RawArguments {
    static let all: [String] = (0..<Int(CommandLine.argc)).map { index in
        guard let pointer = CommandLine.unsafeArgv[index] else { return "" }
        return PathBytes.string(UnsafeRawBufferPointer(start: pointer, count: strlen(pointer)))
    }

    /// `argument` with its bytes that are not UTF-8 kept (``PathBytes``).
    static func lossless(_ argument: String) -> String {
        guard argument.unicodeScalars.contains("\u{FFFD}") else { return argument }
        return all.first { String(decoding: PathBytes.bytes($0), as: UTF8.self) == argument } ?? argument
    }
}
