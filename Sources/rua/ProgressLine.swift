import Foundation
import Glibc
import ReportModel

/// One line on standard error, rewritten in place while an import runs: inputs done (of the files
/// found), reports stored, rate. Only when standard error is a terminal; cleared at the end.
final class ProgressLine {
    private let start = Date()
    private var lastDrawn = Date.distantPast
    private var drawn = false

    /// A progress line, or `nil` when standard error is not a terminal or output is to be quiet.
    static func make(quiet: Bool) -> ProgressLine? {
        quiet || isatty(STDERR_FILENO) == 0 ? nil : ProgressLine()
    }

    func update(_ summary: ImportSummary) {
        let now = Date()
        guard now.timeIntervalSince(lastDrawn) >= 0.1 else { return }
        lastDrawn = now
        let elapsed = max(now.timeIntervalSince(start), 0.001)
        let total = summary.filesFound > summary.inputs ? " of \(summary.filesFound) files" : ""
        let rate = Int(Double(summary.inputs) / elapsed)
        write("\r\u{1B}[K\(summary.inputs) inputs\(total), \(summary.stored) reports stored, \(rate) inputs/s")
        drawn = true
    }

    func finish() {
        if drawn { write("\r\u{1B}[K") }
    }

    private func write(_ text: String) {
        FileHandle.standardError.write(Data(text.utf8))
    }
}
