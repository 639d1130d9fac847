import Foundation

/// A DMARC policy record parsed as RFC 9989 §4.7–4.8 says: tags with their values, what is wrong with
/// it (a record a receiver ignores), and what deserves a warning (a tag RFC 9989 removed, one unknown, a
/// value out of range that falls back to its default).
public struct DMARCRecord: Sendable {
    public var tags: [(name: String, value: String)] = []
    /// Errors that make receivers ignore the record (or parts of it).
    public var errors: [String] = []
    public var warnings: [String] = []

    public func value(_ name: String) -> String? { tags.last { $0.name == name }?.value }

    static let known: Set<String> = ["v", "p", "sp", "np", "psd", "t", "adkim", "aspf", "rua", "ruf", "fo"]
    /// Tags of RFC 7489 that RFC 9989 removed: receivers now ignore them.
    static let removed: Set<String> = ["pct", "rf", "ri"]

    /// Whether a TXT record is a DMARC record at all (`v=DMARC1` first).
    public static func isDMARC(_ text: String) -> Bool {
        let first = text.split(separator: ";", maxSplits: 1).first ?? ""
        let parts = first.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
        return parts.count == 2 && parts[0] == "v" && parts[1] == "DMARC1"
    }

    public init(_ text: String) {
        var seen = Set<String>()
        for (index, raw) in text.split(separator: ";", omittingEmptySubsequences: false).enumerated() {
            let part = raw.trimmingCharacters(in: .whitespacesAndNewlines)
            if part.isEmpty { continue }
            let pieces = part.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            guard pieces.count == 2, !pieces[0].isEmpty else {
                errors.append("'\(part)' is not a tag=value pair")
                continue
            }
            let name = pieces[0].lowercased()
            let value = pieces[1]
            if index == 0 && (pieces[0] != "v" || value != "DMARC1") {
                errors.append("the record must begin with v=DMARC1")
            }
            if !seen.insert(name).inserted { warnings.append("\(name) appears more than once") }
            tags.append((name, value))
            if Self.removed.contains(name) {
                warnings.append("\(name)= was removed by RFC 9989: receivers ignore it")
            } else if !Self.known.contains(name) {
                warnings.append("unknown tag \(name)= is ignored")
            }
        }
        func check(_ tag: String, _ allowed: [String], fallback: String) {
            guard let value = value(tag) else { return }
            if !allowed.contains(value.lowercased()) {
                let message = "\(tag)=\(value) is not one of \(allowed.joined(separator: ", "))"
                if ["p", "sp", "np"].contains(tag) {
                    errors.append(message + " (read as \(fallback))")
                } else {
                    warnings.append(message + " (read as \(fallback))")
                }
            }
        }
        check("p", ["none", "quarantine", "reject"], fallback: "none")
        check("sp", ["none", "quarantine", "reject"], fallback: "p")
        check("np", ["none", "quarantine", "reject"], fallback: "sp")
        check("adkim", ["r", "s"], fallback: "r")
        check("aspf", ["r", "s"], fallback: "r")
        check("t", ["y", "n"], fallback: "n")
        check("psd", ["y", "n", "u"], fallback: "u")
        if value("p") == nil { warnings.append("no p= tag: receivers apply p=none") }
        if let fo = value("fo"), !fo.split(separator: ":").allSatisfy({ ["0", "1", "d", "s"].contains($0) }) {
            warnings.append("fo=\(fo) is not a list of 0, 1, d, s")
        }
        for tag in ["rua", "ruf"] {
            for uri in reportURIs(tag) where !Self.validURI(uri) {
                errors.append("\(tag) has '\(uri)', not a mailto: (or https:) URI")
            }
        }
    }

    /// The URIs of `rua` or `ruf`, without the obsolete size suffix (`!10m`).
    public func reportURIs(_ tag: String) -> [String] {
        guard let value = value(tag) else { return [] }
        return value.split(separator: ",").map { uri in
            let trimmed = uri.trimmingCharacters(in: .whitespaces)
            return trimmed.split(separator: "!", maxSplits: 1).first.map(String.init) ?? trimmed
        }.filter { !$0.isEmpty }
    }

    static func validURI(_ uri: String) -> Bool {
        let lower = uri.lowercased()
        if lower.hasPrefix("mailto:") {
            let address = uri.dropFirst(7)
            let parts = address.split(separator: "@", omittingEmptySubsequences: false)
            return parts.count == 2 && !parts[0].isEmpty && parts[1].contains(".") && !address.contains(" ")
        }
        return lower.hasPrefix("https://") && uri.count > 8
    }

    /// The host a `mailto:` URI delivers to, lower-cased.
    public static func host(of uri: String) -> String? {
        guard uri.lowercased().hasPrefix("mailto:"), let at = uri.lastIndex(of: "@") else { return nil }
        return uri[uri.index(after: at)...].lowercased()
    }
}
