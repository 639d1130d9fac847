import DomainAlignment
import ReportModel

/// Domains of known sending services, from a CSV table: `domain,service,type`, one per line, `#` starts a
/// comment. A domain matches itself and every name under it (`protection.outlook.com` matches
/// `mail-am6eur05on2100.outbound.protection.outlook.com`); the longest match wins. Rua ships a table
/// (``builtIn``); a user's table is laid over it, its rows winning.
public struct KnownServices: Sendable {
    public struct InvalidLine: Error, CustomStringConvertible {
        public let line: Int
        public let reason: String
        public var description: String { "line \(line): \(reason)" }
    }

    private var byDomain: [String: KnownService]

    public init(csv: String) throws(InvalidLine) {
        byDomain = [:]
        for (index, raw) in csv.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = String(raw).trimmed(" \t\r")
            if line.isEmpty || line.hasPrefix("#") { continue }
            let fields = line.split(separator: ",", omittingEmptySubsequences: false).map {
                String($0).trimmed(" \t\"")
            }
            guard fields.count >= 2, let domain = OrganizationalDomains.normalize(fields[0]), !fields[1].isEmpty else {
                throw InvalidLine(line: index + 1, reason: "expected domain,service[,type], got '\(line)'")
            }
            if domain == "domain" && fields[1].lowercased() == "service" { continue }  // header
            byDomain[domain] = KnownService(name: fields[1], type: fields.count > 2 ? fields[2] : "")
        }
    }

    /// The table Rua ships (``KnownServiceTable/csv``).
    public static let builtIn: KnownServices = {
        do {
            return try KnownServices(csv: KnownServiceTable.csv)
        } catch {
            preconditionFailure("the shipped services table is broken: \(error)")
        }
    }()

    /// This table with `other`'s rows laid over it.
    public func overlaid(with other: KnownServices) -> KnownServices {
        var copy = self
        copy.byDomain.merge(other.byDomain) { _, theirs in theirs }
        return copy
    }

    public var count: Int { byDomain.count }

    /// The service whose domain is `name` or the closest domain above it.
    public func service(for name: String) -> (domain: String, service: KnownService)? {
        guard var candidate = OrganizationalDomains.normalize(name) else { return nil }
        while true {
            if let service = byDomain[candidate] { return (candidate, service) }
            guard let dot = candidate.firstIndex(of: ".") else { return nil }
            candidate = String(candidate[candidate.index(after: dot)...])
        }
    }
}

extension String {
    fileprivate func trimmed(_ set: String) -> String {
        var slice = Substring(self)
        while let first = slice.first, set.contains(first) { slice = slice.dropFirst() }
        while let last = slice.last, set.contains(last) { slice = slice.dropLast() }
        return String(slice)
    }
}
