/// A report as a sequence of blocks, written once by a command and rendered as text, Markdown or HTML.
/// Strings in it are raw (often from reports): each renderer escapes them for its format.
public struct Document: Sendable {
    public enum Block: Sendable {
        case heading(String, level: Int)
        case paragraph(String)
        case bullets([String])
        case table(Table)
        case chart(DailyChart)
    }

    public struct Table: Sendable {
        public var header: [String]
        public var rows: [[String]]
        /// Columns aligned right (numbers).
        public var numeric: Set<Int>
        /// Columns a narrow screen (a phone's mail client) may leave out.
        public var secondary: Set<Int>

        public init(header: [String], rows: [[String]], numeric: Set<Int>, secondary: Set<Int> = []) {
            self.header = header
            self.rows = rows
            self.numeric = numeric
            self.secondary = secondary
        }
    }

    /// Messages per day, split into DMARC pass and fail, and the daily pass rate.
    public struct DailyChart: Sendable {
        public var title: String
        public var days: [(label: String, pass: Double, fail: Double)]

        public init(title: String, days: [(label: String, pass: Double, fail: Double)]) {
            self.title = title
            self.days = days
        }
    }

    public var title: String
    public var blocks: [Block] = []

    public init(title: String) { self.title = title }

    mutating func heading(_ text: String, level: Int = 2) { blocks.append(.heading(text, level: level)) }
    mutating func paragraph(_ text: String) { blocks.append(.paragraph(text)) }
    mutating func bullets(_ items: [String]) { if !items.isEmpty { blocks.append(.bullets(items)) } }
    mutating func table(_ header: [String], _ rows: [[String]], numeric: Set<Int> = [], secondary: Set<Int> = []) {
        blocks.append(.table(Table(header: header, rows: rows, numeric: numeric, secondary: secondary)))
    }
    mutating func chart(_ chart: DailyChart) { blocks.append(.chart(chart)) }

    /// Renders for `format`: text (fitted to `width` columns), Markdown, or a self-contained HTML page.
    public func render(_ format: DocumentFormat, width: Int = TextDocument.defaultWidth) -> String {
        switch format {
        case .text: TextDocument.render(self, width: width)
        case .markdown: MarkdownDocument.render(self)
        case .html: HTMLDocument.render(self)
        }
    }
}

public enum DocumentFormat: Sendable {
    case text, markdown, html
}
