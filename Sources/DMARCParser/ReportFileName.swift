/// The attachment naming convention of RFC 7489 §7.2.1.1 / RFC 9990 §3.5.2:
/// `receiver "!" policy-domain "!" begin "!" end [ "!" unique-id ] "." extension`.
///
/// Only a hint: the XML is authoritative. It serves as the second source for a missing date range.
public struct ReportFileName: Equatable, Sendable {
    public var receiver: String
    public var policyDomain: String
    public var begin: Int64
    public var end: Int64
    public var uniqueID: String?

    private static let extensions = [".xml.gz", ".xml.zip", ".xml", ".gz", ".zip", ".json.gz", ".json"]

    /// Parses a file name (no directories); `nil` when it does not follow the convention.
    /// Works on UTF-8 bytes (`!`, `.` and the extensions are ASCII): every report in a mail or archive
    /// has its name read, and splitting by characters cost more than the rest of starting its parse.
    public init?(_ name: String) {
        let bytes = name.utf8
        guard let ext = Self.extensions.first(where: { Self.hasSuffix(bytes, ignoringCase: $0) }) else { return nil }
        let parts = bytes.dropLast(ext.utf8.count).split(separator: UInt8(ascii: "!"), omittingEmptySubsequences: false)
            .map(Substring.init)
        guard parts.count == 4 || parts.count == 5, !parts[1].isEmpty,
            let begin = Int64(parts[2]), let end = Int64(parts[3])
        else { return nil }
        receiver = String(parts[0])
        policyDomain = parts[1].lowercased()
        self.begin = begin
        self.end = end
        uniqueID = parts.count == 5 ? String(parts[4]) : nil
    }

    /// Whether `bytes` end with `suffix` (lower-case ASCII), ASCII letters compared without case.
    private static func hasSuffix(_ bytes: String.UTF8View, ignoringCase suffix: String) -> Bool {
        let tail = bytes.suffix(suffix.utf8.count)
        return tail.count == suffix.utf8.count
            && zip(tail, suffix.utf8).allSatisfy { ($0 >= 0x41 && $0 <= 0x5A ? $0 | 0x20 : $0) == $1 }
    }
}
