/// `policy-type` of RFC 8460.
public enum TLSPolicyType: String, Sendable, CaseIterable {
    case sts, tlsa
    case noPolicyFound = "no-policy-found"
}

/// `result-type` values of the IANA "STARTTLS Validation Result Types" registry (RFC 8460 §4.3).
public enum TLSResultType: String, Sendable, CaseIterable {
    case starttlsNotSupported = "starttls-not-supported"
    case certificateHostMismatch = "certificate-host-mismatch"
    case certificateExpired = "certificate-expired"
    case certificateNotTrusted = "certificate-not-trusted"
    case validationFailure = "validation-failure"
    case tlsaInvalid = "tlsa-invalid"
    case dnssecInvalid = "dnssec-invalid"
    case daneRequired = "dane-required"
    case stsPolicyFetchError = "sts-policy-fetch-error"
    case stsPolicyInvalid = "sts-policy-invalid"
    case stsWebpkiInvalid = "sts-webpki-invalid"
}

/// One SMTP TLS report (RFC 8460).
public struct TLSReport: Hashable, Sendable {
    public var organizationName: String?
    public var contactInfo: String?
    public var reportID: String
    /// `date-range`, epoch seconds UTC.
    public var begin: Int64
    public var end: Int64
    public var policies: [TLSPolicy]

    public init(
        organizationName: String?, contactInfo: String?, reportID: String, begin: Int64, end: Int64,
        policies: [TLSPolicy]
    ) {
        self.organizationName = organizationName
        self.contactInfo = contactInfo
        self.reportID = reportID
        self.begin = begin
        self.end = end
        self.policies = policies
    }

    /// Sessions over all policies, as reported.
    // Wrapping: the parser bounds every count (CountLimits), so these sums cannot reach 2^63 for a parsed
    // report, and a value built otherwise must not trap.
    public var successfulSessions: Int64 { policies.reduce(0) { $0 &+ $1.successfulSessions } }
    public var failedSessions: Int64 { policies.reduce(0) { $0 &+ $1.failedSessions } }
    public var policyDomains: [String] { policies.compactMap(\.domain) }
}

/// One element of `policies`: the policy applied, its summary, and the failures.
public struct TLSPolicy: Hashable, Sendable {
    public var type: Reported<TLSPolicyType>?
    /// `policy-string`, one element per line of an MTA-STS policy or per TLSA record.
    public var strings: [String]
    public var domain: String?
    public var mxHosts: [String]
    public var successfulSessions: Int64
    public var failedSessions: Int64
    public var failures: [TLSFailureDetail]

    public init(
        type: Reported<TLSPolicyType>? = nil, strings: [String] = [], domain: String? = nil, mxHosts: [String] = [],
        successfulSessions: Int64 = 0, failedSessions: Int64 = 0, failures: [TLSFailureDetail] = []
    ) {
        self.type = type
        self.strings = strings
        self.domain = domain
        self.mxHosts = mxHosts
        self.successfulSessions = successfulSessions
        self.failedSessions = failedSessions
        self.failures = failures
    }

    /// The MTA-STS `mode` (enforce, testing, none) from the policy string, if it has one.
    public var mode: String? {
        for line in strings {
            let parts = line.split(separator: ":", maxSplits: 1)
            if parts.count == 2, String(parts[0]).trimmingCharacters(in: " \t").lowercased() == "mode" {
                return String(parts[1]).trimmingCharacters(in: " \t").lowercased()
            }
        }
        return nil
    }
}

/// One element of `failure-details`.
public struct TLSFailureDetail: Hashable, Sendable {
    public var resultType: Reported<TLSResultType>?
    public var sendingMTAIP: String?
    public var receivingMXHostname: String?
    public var receivingMXHelo: String?
    public var receivingIP: String?
    public var failedSessions: Int64
    public var additionalInformation: String?
    public var failureReasonCode: String?

    public init(
        resultType: Reported<TLSResultType>? = nil, sendingMTAIP: String? = nil, receivingMXHostname: String? = nil,
        receivingMXHelo: String? = nil, receivingIP: String? = nil, failedSessions: Int64 = 0,
        additionalInformation: String? = nil, failureReasonCode: String? = nil
    ) {
        self.resultType = resultType
        self.sendingMTAIP = sendingMTAIP
        self.receivingMXHostname = receivingMXHostname
        self.receivingMXHelo = receivingMXHelo
        self.receivingIP = receivingIP
        self.failedSessions = failedSessions
        self.additionalInformation = additionalInformation
        self.failureReasonCode = failureReasonCode
    }
}

extension String {
    fileprivate func trimmingCharacters(in set: String) -> String {
        String(drop(while: { set.contains($0) }).reversed().drop(while: { set.contains($0) }).reversed())
    }
}
