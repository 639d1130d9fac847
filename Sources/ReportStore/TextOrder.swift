import Foundation

/// The order SQLite gives text (its BINARY collation): UTF-8 bytes compared one by one, a prefix first.
/// Rows are written and merged in this order where they meet the tables' own.
enum TextOrder {
    /// Negative, zero or positive as `a` sorts before, with or after `b`.
    static func compare(_ a: UnsafeBufferPointer<UInt8>, _ b: UnsafeBufferPointer<UInt8>) -> Int {
        let common = min(a.count, b.count)
        let result = common == 0 ? 0 : memcmp(a.baseAddress!, b.baseAddress!, common)
        return result != 0 ? Int(result) : a.count - b.count
    }

    static func compare(_ a: String, _ b: UnsafeBufferPointer<UInt8>) -> Int {
        var a = a
        return a.withUTF8 { compare($0, b) }
    }

    static func compare(_ a: String, _ b: String) -> Int {
        var b = b
        return b.withUTF8 { compare(a, $0) }
    }
}
