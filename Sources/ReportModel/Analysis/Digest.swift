/// Message totals weighted by count: what every DMARC figure of the digest is made of.
public struct MessageTotals: Hashable, Sendable {
    public var messages: Double = 0
    public var dmarcPass: Double = 0
    public var dkimAligned: Double = 0
    public var spfAligned: Double = 0
    public var quarantine: Double = 0
    public var reject: Double = 0

    public init() {}

    public var dmarcFail: Double { messages - dmarcPass }

    /// `part / messages`, or nil without messages.
    public func rate(_ part: Double) -> Double? { messages > 0 ? part / messages : nil }

    public static func += (lhs: inout MessageTotals, rhs: MessageTotals) {
        lhs.messages += rhs.messages
        lhs.dmarcPass += rhs.dmarcPass
        lhs.dkimAligned += rhs.dkimAligned
        lhs.spfAligned += rhs.spfAligned
        lhs.quarantine += rhs.quarantine
        lhs.reject += rhs.reject
    }

    public func scaled(_ share: Double) -> MessageTotals {
        var copy = self
        copy.messages *= share
        copy.dmarcPass *= share
        copy.dkimAligned *= share
        copy.spfAligned *= share
        copy.quarantine *= share
        copy.reject *= share
        return copy
    }
}

/// One counted report's totals and published policy, as the digest reads them from the rollups.
public struct ReportTotals: Hashable, Sendable {
    public var policyDomain: String
    public var reporter: String
    public var begin: Int64
    public var end: Int64
    public var totals: MessageTotals
    public var policy: PolicyPublished

    public init(
        policyDomain: String, reporter: String, begin: Int64, end: Int64, totals: MessageTotals,
        policy: PolicyPublished
    ) {
        self.policyDomain = policyDomain
        self.reporter = reporter
        self.begin = begin
        self.end = end
        self.totals = totals
        self.policy = policy
    }
}

/// A sending source's traffic for one policy domain in two spans of time.
public struct SourceActivity: Hashable, Sendable {
    public var policyDomain: String
    public var sourceIP: String
    public var messages: Double
    public var dmarcPass: Double
    /// True when the source sent anything in the earlier span.
    public var seenBefore: Bool
    /// Its traffic in the earlier span (zero when not looked up).
    public var earlierMessages: Double
    public var earlierPass: Double
    public var headerFrom: [String]

    public init(
        policyDomain: String, sourceIP: String, messages: Double, dmarcPass: Double, seenBefore: Bool,
        earlierMessages: Double, earlierPass: Double, headerFrom: [String]
    ) {
        self.policyDomain = policyDomain
        self.sourceIP = sourceIP
        self.messages = messages
        self.dmarcPass = dmarcPass
        self.seenBefore = seenBefore
        self.earlierMessages = earlierMessages
        self.earlierPass = earlierPass
        self.headerFrom = headerFrom
    }
}

/// A reporter that sent reports for a domain in the weeks before the period, and none in it.
public struct SilentReporter: Hashable, Sendable {
    public var policyDomain: String
    public var reporter: String
    public var lastBegin: Int64
    public var earlierReports: Int

    public init(policyDomain: String, reporter: String, lastBegin: Int64, earlierReports: Int) {
        self.policyDomain = policyDomain
        self.reporter = reporter
        self.lastBegin = lastBegin
        self.earlierReports = earlierReports
    }
}

/// What happened to the inputs and reports of the period.
public struct DataHealth: Sendable {
    public var inputs = 0
    public var stored = 0
    public var duplicates = 0
    public var rejected = 0
    public var skipped = 0
    /// Rejection reasons with how many items each, most frequent first.
    public var rejectionReasons: [(String, Int)] = []
    /// Diagnostics of the period's reports by code, with occurrences.
    public var diagnostics: [(String, Int)] = []

    public init() {}

}

/// `rua digest`: the period against the one before, per policy domain, with what changed and advice.
public struct Digest: Sendable {
    public struct Day: Hashable, Sendable {
        public var start: Int64
        public var label: String
        public var messages: Double
        public var dmarcPass: Double

        public init(start: Int64, label: String, messages: Double, dmarcPass: Double) {
            self.start = start
            self.label = label
            self.messages = messages
            self.dmarcPass = dmarcPass
        }
    }

    public struct Domain: Sendable {
        public var policyDomain: String
        public var reports = 0
        public var reporters: [String] = []
        public var totals = MessageTotals()
        public var previous = MessageTotals()
        /// The policy most recently published in the period, and every distinct `p` seen.
        public var policy = PolicyPublished()
        public var policiesSeen: [String] = []
        public var days: [Day] = []

        public init(policyDomain: String) { self.policyDomain = policyDomain }

        /// Change of the DMARC pass rate in percentage points, when both periods have messages.
        public var passRateChange: Double? {
            guard let now = totals.rate(totals.dmarcPass), let before = previous.rate(previous.dmarcPass) else {
                return nil
            }
            return (now - before) * 100
        }
    }

    /// Something that needs attention, as data: the text and HTML digests and the JSON carry the same
    /// items.
    public struct Advice: Hashable, Sendable {
        /// How urgent: `critical` (reports lost, mail failing much more), `warning` (something broke or is
        /// new), `notice` (mail failing without harm done yet), `info` (a step that is now safe).
        public enum Severity: String, Hashable, Sendable, CaseIterable {
            case critical, warning, notice, info

            /// Most urgent first.
            public var rank: Int { Self.allCases.firstIndex(of: self) ?? 0 }
        }

        public struct Number: Hashable, Sendable {
            public var name: String
            public var value: Double
        }

        /// Stable, for scripts and alerting: `pass_rate_drop`, `domain_silent`, `reporter_silent`,
        /// `new_failing_source`, `source_started_failing`, `tls_failures`, `delivered_under_none`,
        /// `receivers_override`, `pct_below_100`, `ready_for_quarantine`, `ready_for_reject`,
        /// `ready_to_drop_testing`, `fix_before_enforcing`, `dns_changed`.
        public var code: String
        public var severity: Severity
        public var policyDomain: String
        public var sourceIP: String?
        public var mxHost: String?
        public var reporter: String?
        /// The numbers behind the sentence.
        public var numbers: [Number]
        /// The messages (or sessions, reports) it concerns: ranks items of one severity.
        public var weight: Double
        public var text: String

        public init(
            code: String, severity: Severity, policyDomain: String, sourceIP: String? = nil, mxHost: String? = nil,
            reporter: String? = nil, numbers: [(String, Double)], weight: Double, text: String
        ) {
            self.code = code
            self.severity = severity
            self.policyDomain = policyDomain
            self.sourceIP = sourceIP
            self.mxHost = mxHost
            self.reporter = reporter
            self.numbers = numbers.map { Number(name: $0.0, value: $0.1) }
            self.weight = weight
            self.text = text
        }
    }

    public var period: ReportPeriod
    public var previousPeriod: ReportPeriod
    public var domains: [Domain] = []
    public var newSources: [SourceActivity] = []
    public var startedFailing: [SourceActivity] = []
    public var silentReporters: [SilentReporter] = []
    public var tls: [TLSDomainSummary] = []
    public var advice: [Advice] = []
    /// DNS records `rua check` saw change in the period or the one before.
    public var recordChanges: [RecordChange] = []
    public var health = DataHealth()
    /// Who the listed sources are, by address, when identified.
    public var attributions: [String: SourceAttribution] = [:]

    public init(period: ReportPeriod, previousPeriod: ReportPeriod) {
        self.period = period
        self.previousPeriod = previousPeriod
    }

    /// True when the period has no DMARC or TLS report at all.
    public var isEmpty: Bool { domains.allSatisfy { $0.reports == 0 } && tls.isEmpty }
}

extension Digest {
    /// A reporter that sent at least this many reports in the 28 days before the period sends about
    /// daily: its silence means reports are being lost somewhere.
    public static let dailyReporterMinimum = 20

    /// What says reports are missing: no report at all in the period, a domain that had reports in the
    /// period before and has none now, a reporter that sent about daily and went silent. Each a sentence.
    public var missingReports: [String] {
        var missing: [String] = []
        if !domains.contains(where: { $0.reports > 0 }) {
            missing.append("no report at all arrived in the period")
        }
        for domain in domains where domain.reports == 0 {
            missing.append("\(domain.policyDomain): no report in the period (it had reports in the period before)")
        }
        for reporter in silentReporters where reporter.earlierReports >= Self.dailyReporterMinimum {
            missing.append(
                "\(reporter.policyDomain): \(reporter.reporter) sent \(reporter.earlierReports) reports in the 28 days "
                    + "before and none in the period")
        }
        return missing
    }
}

/// What a domain's last 30 days of reports show about its policy: totals, the policies reporters saw,
/// the first report, how many reporters, on how many days.
public struct PolicyEvidence: Sendable {
    public var totals: MessageTotals
    public var policies: [String]
    public var first: Int64
    public var reporters: Int
    public var days: Int

    public init(totals: MessageTotals, policies: [String], first: Int64, reporters: Int, days: Int) {
        self.totals = totals
        self.policies = policies
        self.first = first
        self.reporters = reporters
        self.days = days
    }
}
