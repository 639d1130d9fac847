/// One line of `rua check`: what was checked, how it came out, what to do.
public struct Check: Sendable {
    public enum Status: String, Sendable, Comparable {
        case pass, warning, failure

        var rank: Int { [.pass, .warning, .failure].firstIndex(of: self) ?? 0 }
        public static func < (lhs: Status, rhs: Status) -> Bool { lhs.rank < rhs.rank }
    }

    /// Stable: `dmarc.record`, `spf.lookups`, `tlsrpt.record`…
    public var id: String
    public var domain: String
    public var status: Status
    public var message: String
    /// What to do about it; nil when nothing.
    public var fix: String?
    /// What the check saw: records, counts.
    public var evidence: [(String, String)]
    /// What the DNS answered, for the record history: a kind (`spf`, `dkim s1`) and the record, empty
    /// when there is none; nothing when the lookup failed.
    public var records: [(kind: String, value: String)] = []

    public init(
        id: String, domain: String, status: Status, message: String, fix: String? = nil,
        evidence: [(String, String)] = [], records: [(kind: String, value: String)] = []
    ) {
        self.id = id
        self.domain = domain
        self.status = status
        self.message = message
        self.fix = fix
        self.evidence = evidence
        self.records = records
    }
}

/// What a domain's stored TLS reports of the last days say, beside its MTA-STS and TLS-RPT records.
public struct TLSEvidence: Sendable {
    /// End of the last TLS report for the domain, ever.
    public var lastReport: Int64?
    public var successfulSessions: Int64 = 0
    public var failedSessions: Int64 = 0
    /// Failed sessions by result type (`sts-policy-fetch-error`, `validation-failure`…), most first.
    public var failures: [(resultType: String, sessions: Int64)] = []
    /// Sessions by the policy type senders applied (`sts`, `tlsa`, `no-policy-found`).
    public var policyTypes: [String: Int64] = [:]

    public init(lastReport: Int64?) { self.lastReport = lastReport }

    public func sessions(_ resultType: String) -> Int64 {
        failures.first { $0.resultType == resultType }?.sessions ?? 0
    }
}

/// A DNS record of a domain that changed between two `rua check` runs.
public struct RecordChange: Sendable, Hashable {
    public var domain: String
    /// `dmarc`, `spf`, `dkim SELECTOR`, `mx`, `mta-sts`, `mta-sts policy`, `tlsrpt`.
    public var kind: String
    public var before: String
    public var after: String
    /// When the first check saw the new value, and when the last check saw the old one.
    public var seen: Int64
    public var lastSeenBefore: Int64

    public init(domain: String, kind: String, before: String, after: String, seen: Int64, lastSeenBefore: Int64) {
        self.domain = domain
        self.kind = kind
        self.before = before
        self.after = after
        self.seen = seen
        self.lastSeenBefore = lastSeenBefore
    }

    /// `SPF`, `DKIM key s1`, `MTA-STS policy`.
    public var title: String {
        switch kind {
        case "dmarc": "DMARC"
        case "spf": "SPF"
        case "mx": "MX"
        case "mta-sts": "MTA-STS record"
        case "mta-sts policy": "MTA-STS policy"
        case "tlsrpt": "TLS-RPT"
        default: kind.hasPrefix("dkim ") ? "DKIM key " + kind.dropFirst(5) : kind
        }
    }

    /// What changed, in a line: the terms (SPF), tags (DMARC) or hosts (MX) removed and added, else the
    /// values before and after.
    public var summary: String {
        if before.isEmpty { return "\(title) published: \(after)" }
        if after.isEmpty { return "\(title) removed (was \(before))" }
        let separator: Character? =
            switch kind {
            case "spf", "mx": " "
            case "dmarc", "tlsrpt", "mta-sts", "mta-sts policy": ";"
            default: nil
            }
        guard let separator else { return "\(title) changed" }
        func parts(_ text: String) -> [String] {
            text.split(separator: separator).map { part in
                String(part.drop(while: \.isWhitespace).reversed().drop(while: \.isWhitespace).reversed())
            }.filter { !$0.isEmpty }
        }
        let old = parts(before)
        let new = parts(after)
        let removed = old.filter { !new.contains($0) }
        let added = new.filter { !old.contains($0) }
        var said: [String] = []
        if !removed.isEmpty { said.append(removed.joined(separator: " ") + " removed") }
        if !added.isEmpty { said.append(added.joined(separator: " ") + " added") }
        return "\(title) changed: " + (said.isEmpty ? "reordered" : said.joined(separator: ", "))
    }
}
