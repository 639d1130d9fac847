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

    public init(
        id: String, domain: String, status: Status, message: String, fix: String? = nil,
        evidence: [(String, String)] = []
    ) {
        self.id = id
        self.domain = domain
        self.status = status
        self.message = message
        self.fix = fix
        self.evidence = evidence
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
