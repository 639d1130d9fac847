import Foundation
import Glibc
import ReportModel
import ReportRendering

/// One line on standard error, rewritten in place while an import runs: inputs done (of the files
/// found), reports stored, rate. Only when standard error is a terminal; cleared at the end.
final class ProgressLine {
    private let start = Date()
    private var lastDrawn = Date.distantPast
    private var drawn = false
    /// What the found inputs are: `files`, or `messages` on a server.
    private let found: String

    init(found: String) { self.found = found }

    /// A progress line, or `nil` when standard error is not a terminal or output is to be quiet.
    static func make(quiet: Bool, found: String = "files") -> ProgressLine? {
        quiet || isatty(STDERR_FILENO) == 0 ? nil : ProgressLine(found: found)
    }

    /// Redraws (at most ten times a second): inputs done of the files found, reports stored, and while a
    /// large input is written its bytes read of its size and records a second.
    func update(_ progress: ImportProgress) {
        let now = Date()
        // An input's records a second count from when the input before it was done.
        if progress.current == nil { lastInputDone = now }
        guard now.timeIntervalSince(lastDrawn) >= 0.1 else { return }
        lastDrawn = now
        let elapsed = max(now.timeIntervalSince(start), 0.001)
        let summary = progress.summary
        var text: String
        if let current = progress.current {
            if current.name != currentName {
                currentName = current.name
                currentStart = lastInputDone
            }
            let seconds = max(now.timeIntervalSince(currentStart), 0.001)
            let share = current.size > 0 ? " (\(Int(Double(current.bytesRead) / Double(current.size) * 100))%)" : ""
            text =
                "\(Escaping.terminal(current.name)): \(megabytes(current.bytesRead)) of \(megabytes(current.size))"
                + "\(share), \(Int64(current.records).grouped) records, "
                + "\(Int64(Double(current.records) / seconds).grouped) records/s"
        } else {
            let total = summary.filesFound > summary.inputs ? " of \(summary.filesFound) \(found)" : ""
            let rate = Int(Double(summary.inputs) / elapsed)
            text = "\(summary.inputs) inputs\(total), \(summary.stored) reports stored, \(rate) inputs/s"
        }
        write("\r\u{1B}[K" + text)
        drawn = true
    }

    private var currentName = ""
    private var currentStart = Date()
    private lazy var lastInputDone = start

    private func megabytes(_ bytes: Int64) -> String {
        String(format: "%.1f MB", Double(bytes) / 1_000_000)
    }

    func finish() {
        if drawn { write("\r\u{1B}[K") }
    }

    private func write(_ text: String) {
        FileHandle.standardError.write(Data(text.utf8))
    }
}
