import ArgumentParser
import Foundation
import Glibc
import ReportRendering

/// `--wide` and `--color`: how text output fits and looks on a terminal.
struct TerminalOptions: ParsableArguments {
    @Flag(help: "Text: show every column in full instead of fitting tables to the terminal's width.")
    var wide = false

    @Option(
        help: ArgumentHelp(
            "Colour text output: auto (on a terminal, unless NO_COLOR is set), always or never.", valueName: "when"))
    var color: ColorChoice = .auto

    enum ColorChoice: String, ExpressibleByArgument, CaseIterable {
        case auto, always, never
    }

    /// The columns tables fit: `--wide` none, else `COLUMNS`, else the terminal's, else 80.
    var width: Int {
        if wide { return Int.max }
        if let columns = ProcessInfo.processInfo.environment["COLUMNS"].flatMap(Int.init), columns > 0 {
            return max(40, columns)
        }
        var size = winsize()
        if isatty(STDOUT_FILENO) != 0, ioctl(STDOUT_FILENO, UInt(TIOCGWINSZ), &size) == 0, size.ws_col > 0 {
            return max(40, Int(size.ws_col))
        }
        return TextDocument.defaultWidth
    }

    /// `context` fitted to the terminal, or, when a file is written, to the default width without colour.
    func apply(to context: OutputContext, writingFile: Bool = false) -> OutputContext {
        var context = context
        context.width = wide ? Int.max : writingFile ? TextDocument.defaultWidth : width
        context.colors = !writingFile && colors
        return context
    }

    /// Whether text output is coloured.
    var colors: Bool {
        switch color {
        case .always: return true
        case .never: return false
        case .auto: return Self.automaticColors
        }
    }

    /// Colour when standard output is a terminal and `NO_COLOR` is not set (https://no-color.org).
    static var automaticColors: Bool {
        let noColor = ProcessInfo.processInfo.environment["NO_COLOR"].map { !$0.isEmpty } ?? false
        return !noColor && isatty(STDOUT_FILENO) != 0
    }
}
