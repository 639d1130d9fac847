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
    public init?(_ name: String) {
        var stem = Substring(name)
        guard let ext = Self.extensions.first(where: { name.lowercased().hasSuffix($0) }) else { return nil }
        stem = stem.dropLast(ext.count)
        let parts = stem.split(separator: "!", omittingEmptySubsequences: false)
        guard parts.count == 4 || parts.count == 5, !parts[1].isEmpty,
            let begin = Int64(parts[2]), let end = Int64(parts[3])
        else { return nil }
        receiver = String(parts[0])
        policyDomain = parts[1].lowercased()
        self.begin = begin
        self.end = end
        uniqueID = parts.count == 5 ? String(parts[4]) : nil
    }
}
