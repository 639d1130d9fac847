/// The alignment summary of one policy domain over a period, weighted by message count. Results are
/// the reporters' own `policy_evaluated` verdicts.
public struct DomainSummary: Hashable, Sendable {
    public var domain: String
    public var reports: Int
    public var reporters: Int
    public var messages: Int64
    /// Messages with an aligned DKIM or SPF pass.
    public var dmarcPass: Int64
    public var spfAligned: Int64
    public var dkimAligned: Int64
    /// Messages by applied disposition; `none` includes RFC 9990's `pass`.
    public var dispositionNone: Int64
    public var dispositionQuarantine: Int64
    public var dispositionReject: Int64
    /// Sources failing DMARC, most messages first.
    public var topFailingSources: [FailingSource]

    public init(
        domain: String, reports: Int = 0, reporters: Int = 0, messages: Int64 = 0, dmarcPass: Int64 = 0,
        spfAligned: Int64 = 0, dkimAligned: Int64 = 0, dispositionNone: Int64 = 0, dispositionQuarantine: Int64 = 0,
        dispositionReject: Int64 = 0, topFailingSources: [FailingSource] = []
    ) {
        self.domain = domain
        self.reports = reports
        self.reporters = reporters
        self.messages = messages
        self.dmarcPass = dmarcPass
        self.spfAligned = spfAligned
        self.dkimAligned = dkimAligned
        self.dispositionNone = dispositionNone
        self.dispositionQuarantine = dispositionQuarantine
        self.dispositionReject = dispositionReject
        self.topFailingSources = topFailingSources
    }

    /// `part / messages` as a fraction in 0…1, or `nil` when there were no messages.
    public func rate(_ part: Int64) -> Double? {
        messages > 0 ? Double(part) / Double(messages) : nil
    }
}

/// A source IP whose messages failed DMARC.
public struct FailingSource: Hashable, Sendable {
    public var sourceIP: String
    public var messages: Int64
    /// The header_from domains it sent as.
    public var headerFrom: [String]

    public init(sourceIP: String, messages: Int64, headerFrom: [String]) {
        self.sourceIP = sourceIP
        self.messages = messages
        self.headerFrom = headerFrom
    }
}
