import Glibc
import ReportModel

/// The text of the leaf element being read, in a buffer allocated once per parser: leaves are read
/// millions of times in a large report, and a growing array paid for capacity and uniqueness checks on
/// every piece of text.
struct LeafText {
    private let storage: UnsafeMutableBufferPointer<UInt8>
    private(set) var count = 0
    /// Whether text beyond the capacity was cut.
    private(set) var truncated = false

    init(capacity: Int) {
        storage = .allocate(capacity: capacity)
    }

    /// Frees the buffer; the parser calls it once, when it goes.
    func deallocate() {
        storage.deallocate()
    }

    mutating func reset() {
        count = 0
        truncated = false
    }

    /// Appends what fits.
    /// - Returns: `false` when this append is the one that first cut text.
    mutating func append(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        let kept = min(storage.count - count, bytes.count)
        if kept > 0, let source = bytes.baseAddress, let base = storage.baseAddress {
            (base + count).update(from: source, count: kept)
            count += kept
        }
        guard kept < bytes.count, !truncated else { return true }
        truncated = true
        return false
    }

    /// The text without ASCII white space at either end; valid until the next change.
    var trimmed: UnsafeBufferPointer<UInt8> {
        AggregateReportParser.trimmed(UnsafeBufferPointer(rebasing: storage[0..<count]))
    }
}

/// The last text of one element whose reading left no diagnostic, and the value read from it. Reports
/// repeat a few values in every record (`pass`, `none`, the domain, a handful of selectors): the same
/// bytes are then known without building a string or normalising it again. Text whose reading needed a
/// repair is never remembered, so its diagnostic is counted each time.
struct TextMemo<Value> {
    private var bytes: [UInt8] = []
    private var value: Value?

    mutating func value(
        of text: UnsafeBufferPointer<UInt8>, diagnostics: inout DiagnosticCollector,
        read: (String, inout DiagnosticCollector) -> Value
    ) -> Value {
        if let value, bytes.count == text.count,
            text.isEmpty
                || bytes.withUnsafeBufferPointer({ memcmp($0.baseAddress!, text.baseAddress!, text.count) == 0 })
        {
            return value
        }
        let additions = diagnostics.additions
        let result = read(String(decoding: text, as: UTF8.self), &diagnostics)
        if diagnostics.additions == additions {
            bytes.removeAll(keepingCapacity: true)
            bytes.append(contentsOf: text)
            value = result
        } else {
            value = nil
        }
        return result
    }
}
