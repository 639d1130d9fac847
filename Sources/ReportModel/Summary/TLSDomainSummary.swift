/// The TLS-RPT summary of one policy domain over a period: sessions as reported, and where they failed.
public struct TLSDomainSummary: Hashable, Sendable {
    /// Failed sessions of one result type (or MX host, or sending IP).
    public struct Failure: Hashable, Sendable {
        public var key: String
        public var sessions: Int64
        /// For result types: the receiving MX hosts named in those failures.
        public var mxHosts: [String]

        public init(key: String, sessions: Int64, mxHosts: [String] = []) {
            self.key = key
            self.sessions = sessions
            self.mxHosts = mxHosts
        }
    }

    public var domain: String
    public var reports: Int
    public var reporters: [String]
    public var successfulSessions: Int64
    public var failedSessions: Int64
    public var policyTypes: [String]
    public var modes: [String]
    /// Sessions reported under `no-policy-found`.
    public var noPolicyFoundSessions: Int64
    public var byResultType: [Failure]
    public var byMXHost: [Failure]
    public var bySendingIP: [Failure]

    public init(
        domain: String, reports: Int = 0, reporters: [String] = [], successfulSessions: Int64 = 0,
        failedSessions: Int64 = 0, policyTypes: [String] = [], modes: [String] = [], noPolicyFoundSessions: Int64 = 0,
        byResultType: [Failure] = [], byMXHost: [Failure] = [], bySendingIP: [Failure] = []
    ) {
        self.domain = domain
        self.reports = reports
        self.reporters = reporters
        self.successfulSessions = successfulSessions
        self.failedSessions = failedSessions
        self.policyTypes = policyTypes
        self.modes = modes
        self.noPolicyFoundSessions = noPolicyFoundSessions
        self.byResultType = byResultType
        self.byMXHost = byMXHost
        self.bySendingIP = bySendingIP
    }

    /// Every session reported, held at Int64's largest value rather than trapping.
    public var totalSessions: Int64 { successfulSessions.saturatingAdd(failedSessions) }

    /// successful / (successful + failed), or `nil` without sessions.
    public var successRate: Double? {
        let total = Double(successfulSessions) + Double(failedSessions)
        return total > 0 ? Double(successfulSessions) / total : nil
    }
}

extension TLSResultType {
    /// What a postmaster can do about failures of this type, naming the hosts involved.
    public static func advice(for type: String, domain: String, mxHosts: [String]) -> String {
        let hosts = mxHosts.isEmpty ? "your MX hosts" : mxHosts.joined(separator: ", ")
        switch TLSResultType(rawValue: type) {
        case .starttlsNotSupported?: return "enable STARTTLS on \(hosts)"
        case .certificateHostMismatch?:
            return "the certificate on \(hosts) does not name the host: issue one that covers every MX in the policy"
        case .certificateExpired?: return "renew the certificate on \(hosts)"
        case .certificateNotTrusted?:
            return "\(hosts) presents a certificate senders do not trust: use a public CA and send the full chain"
        case .validationFailure?: return "TLS with \(hosts) failed validation: see the failure reason codes"
        case .tlsaInvalid?: return "the TLSA records do not match the certificate on \(hosts): update them"
        case .dnssecInvalid?: return "DNSSEC validation of the TLSA records failed: check the zone's signatures and DS"
        case .daneRequired?: return "senders require DANE for \(hosts): publish TLSA records in a DNSSEC-signed zone"
        case .stsPolicyFetchError?:
            return "the MTA-STS policy could not be fetched: check https://mta-sts.\(domain)/.well-known/mta-sts.txt"
        case .stsPolicyInvalid?:
            return "the MTA-STS policy of \(domain) is invalid: check its syntax and its mx lines"
        case .stsWebpkiInvalid?:
            return "the HTTPS certificate of mta-sts.\(domain) is not valid: renew it or fix its chain"
        case nil: return "'\(type)' is not a registered result type: see the reporter's failure reason codes"
        }
    }
}
