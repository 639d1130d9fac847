import ArgumentParser
import Foundation
import Glibc

/// `--output FILE` and `--excel`: where a report command writes, and CSV for spreadsheet programs.
struct OutputOptions: ParsableArguments {
    @Option(help: ArgumentHelp("Write to this file instead of standard output.", valueName: "file"))
    var output: String?

    @Flag(help: "CSV: start with a UTF-8 byte-order mark, so spreadsheet programs read the encoding right.")
    var excel = false

    /// Writes a whole document to the destination; CSV gets the byte-order mark under `--excel`.
    func write(_ text: String, isCSV: Bool) throws {
        let sink = try open()
        try sink.write(isCSV && excel ? "\u{FEFF}" + text : text)
        try sink.finish()
    }

    /// Opens the destination. A file is written beside its final name and renamed into place by
    /// ``OutputSink/finish()``, so a cron job never leaves half a report behind.
    func open() throws -> OutputSink {
        guard let output, output != "-" else { return OutputSink(handle: .standardOutput, path: nil) }
        var status = stat()
        if stat(output, &status) == 0 && (status.st_mode & S_IFMT) != S_IFREG {
            // A device or pipe (/dev/null, a FIFO): written in place.
            guard let handle = FileHandle(forWritingAtPath: output) else {
                printError("rua: cannot write \(output)")
                throw ExitStatus.ioError
            }
            return OutputSink(handle: handle, path: nil)
        }
        let temporary = output + ".part"
        guard FileManager.default.createFile(atPath: temporary, contents: nil),
            let handle = FileHandle(forWritingAtPath: temporary)
        else {
            printError("rua: cannot write \(output)")
            throw ExitStatus.ioError
        }
        return OutputSink(handle: handle, path: output)
    }
}

/// Standard output or a file being written.
final class OutputSink {
    private let handle: FileHandle
    private let path: String?

    init(handle: FileHandle, path: String?) {
        self.handle = handle
        self.path = path
    }

    func write(_ text: String) throws {
        try write(Array(text.utf8))
    }

    func write(_ bytes: [UInt8]) throws {
        do {
            try handle.write(contentsOf: Data(bytes))
        } catch {
            printError("rua: cannot write \(path ?? "standard output"): \(error.localizedDescription)")
            throw ExitStatus.ioError
        }
    }

    func finish() throws {
        guard let path else { return }
        try? handle.close()
        do {
            if FileManager.default.fileExists(atPath: path) { try FileManager.default.removeItem(atPath: path) }
            try FileManager.default.moveItem(atPath: path + ".part", toPath: path)
        } catch {
            printError("rua: cannot write \(path): \(error.localizedDescription)")
            throw ExitStatus.ioError
        }
    }
}
