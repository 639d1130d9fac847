/// Something that crossed a threshold: what `rua alerts` reports once, when it first appears.
public struct Alert: Sendable {
    /// Stable: `pass_rate_drop`, `new_failing_source`, `source_started_failing`, `tls_failure_rate`,
    /// `heartbeat_missed`, `reporter_silent`.
    public var code: String
    public var policyDomain: String
    /// What within the domain it is about: a source address or a reporter; nil for the domain itself.
    public var subject: String?
    public var numbers: [Digest.Advice.Number]
    public var text: String

    public init(
        code: String, policyDomain: String, subject: String? = nil, numbers: [(String, Double)], text: String
    ) {
        self.code = code
        self.policyDomain = policyDomain
        self.subject = subject
        self.numbers = numbers.map { Digest.Advice.Number(name: $0.0, value: $0.1) }
        self.text = text
    }

    /// The identity under which it is remembered: the same problem on the next run is the same key.
    public var key: String { code + " " + policyDomain + " " + (subject ?? "") }
}

/// When a measure becomes an alert. Rates are fractions; the defaults suit a daily cron job.
public struct AlertThresholds: Sendable {
    /// A domain's DMARC pass rate fell by at least this many percentage points from the period before…
    public var passRateDrop = 5.0
    /// …over at least this many messages (fewer are noise).
    public var minimumMessages = 100.0
    /// A new source, or one that started failing, with at least this many failing messages.
    public var failingSourceMessages = 10.0
    /// A domain's TLS sessions failing at least this often…
    public var tlsFailureRate = 0.05
    /// …over at least this many sessions.
    public var minimumSessions: Int64 = 100
    /// Alert when a domain's reports stop arriving at their usual pace.
    public var heartbeat = true

    public init() {}
}

/// How a domain's reports arrived lately: the heartbeat that `rua alerts` checks.
public struct ReportCadence: Sendable {
    public var policyDomain: String
    /// Days, in the span looked at, on which a report began.
    public var reportDays: Int
    /// The first and the last of those days (days since the epoch).
    public var firstDay: Int64
    public var lastDay: Int64
    /// The latest end of a report's range.
    public var lastEnd: Int64

    public init(policyDomain: String, reportDays: Int, firstDay: Int64, lastDay: Int64, lastEnd: Int64) {
        self.policyDomain = policyDomain
        self.reportDays = reportDays
        self.firstDay = firstDay
        self.lastDay = lastDay
        self.lastEnd = lastEnd
    }
}

/// An alert remembered from an earlier run.
public struct StoredAlert: Sendable {
    public var code: String
    public var policyDomain: String
    public var subject: String?
    public var text: String
    public var firstAlerted: Int64
    public var lastSeen: Int64

    public init(
        code: String, policyDomain: String, subject: String?, text: String, firstAlerted: Int64, lastSeen: Int64
    ) {
        self.code = code
        self.policyDomain = policyDomain
        self.subject = subject
        self.text = text
        self.firstAlerted = firstAlerted
        self.lastSeen = lastSeen
    }
}

/// One run of `rua alerts`: what is new since the last run (what it exits 1 for), what is still there
/// (alerted before), and what went away.
public struct AlertRun: Sendable {
    public var period: ReportPeriod
    public var new: [Alert] = []
    public var ongoing: [StoredAlert] = []
    public var resolved: [StoredAlert] = []

    public init(period: ReportPeriod) { self.period = period }
}
