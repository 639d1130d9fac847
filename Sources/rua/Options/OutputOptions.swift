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
    /// ``OutputSink/finish()``, so a cron job never leaves half a report behind. Failures name the file
    /// and the operating system's reason.
    func open() throws -> OutputSink {
        guard let output, output != "-" else { return OutputSink(descriptor: STDOUT_FILENO, name: "standard output") }
        var status = stat()
        if stat(output, &status) == 0 && (status.st_mode & S_IFMT) != S_IFREG {
            // A device or pipe (/dev/null, a FIFO): written in place.
            let descriptor = Glibc.open(output, O_WRONLY | O_CLOEXEC)
            guard descriptor >= 0 else { throw OutputSink.failure(output, errno) }
            return OutputSink(descriptor: descriptor, name: output, ownsDescriptor: true)
        }
        let temporary = output + ".part"
        let descriptor = Glibc.open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { throw OutputSink.failure(output, errno) }
        return OutputSink(descriptor: descriptor, name: output, ownsDescriptor: true, renamingFrom: temporary)
    }
}

/// Standard output or a file being written.
final class OutputSink {
    private let descriptor: Int32
    private let name: String
    private let ownsDescriptor: Bool
    /// The file written, renamed to ``name`` once complete.
    private let temporary: String?
    private var closed = false

    init(descriptor: Int32, name: String, ownsDescriptor: Bool = false, renamingFrom temporary: String? = nil) {
        self.descriptor = descriptor
        self.name = name
        self.ownsDescriptor = ownsDescriptor
        self.temporary = temporary
    }

    deinit {
        // Not finished (an error on the way): no half-written file stays behind.
        if !closed {
            if ownsDescriptor { close(descriptor) }
            if let temporary { unlink(temporary) }
        }
    }

    /// Prints why `name` cannot be written and gives the exit status for it.
    static func failure(_ name: String, _ code: Int32) -> ExitCode {
        printError("rua: cannot write \(name): \(String(cString: strerror(code)))")
        return ExitStatus.ioError
    }

    func write(_ text: String) throws {
        try write(Array(text.utf8))
    }

    func write(_ bytes: [UInt8]) throws {
        try bytes.withUnsafeBytes { buffer in
            var offset = 0
            while offset < buffer.count {
                let written = Glibc.write(descriptor, buffer.baseAddress! + offset, buffer.count - offset)
                if written < 0 {
                    if errno == EINTR { continue }
                    throw Self.failure(name, errno)
                }
                offset += written
            }
        }
    }

    func finish() throws {
        closed = true
        guard ownsDescriptor else { return }
        // close(2) reports what a full disk or quota refused of the last writes.
        if close(descriptor) != 0 {
            let code = errno
            if let temporary { unlink(temporary) }
            throw Self.failure(name, code)
        }
        if let temporary, rename(temporary, name) != 0 {
            let code = errno
            unlink(temporary)
            throw Self.failure(name, code)
        }
    }
}

/// `--top N`: a count of rows, never negative.
func validateTop(_ top: Int) throws {
    guard top >= 0 else { throw ValidationError("--top must be 0 (all) or a positive number") }
}
