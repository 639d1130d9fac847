/// The policy a domain's latest report shows published, and since when reports show that `p`.
public struct PublishedPolicy: Sendable, Hashable {
    public var p: String?
    public var sp: String?
    public var np: String?
    public var testing: String?
    public var pct: Int?
    /// Begin of the earliest report of the unbroken run showing this `p`.
    public var since: Int64

    public init(p: String?, sp: String?, np: String?, testing: String?, pct: Int?, since: Int64) {
        self.p = p
        self.sp = sp
        self.np = np
        self.testing = testing
        self.pct = pct
        self.since = since
    }

    /// `p=quarantine; t=y`: the policy as DMARC records write it.
    public var text: String {
        var parts = ["p=\(p ?? "none")"]
        if testing == "y" { parts.append("t=y") }
        if let sp { parts.append("sp=\(sp)") }
        if let np { parts.append("np=\(np)") }
        if let pct, pct < 100 { parts.append("pct=\(pct)") }
        return parts.joined(separator: "; ")
    }
}

/// What enforcing DMARC would do to a domain's mail, judged from its last days of reports: the messages
/// failing DMARC by class, the domain's own senders to fix first, the verdict and the next step.
public struct PolicyReadiness: Sendable {
    public enum Verdict: String, Sendable {
        /// Enough evidence and no own sender failing beyond the tolerance: take the next step.
        case ready
        /// Enough evidence, but the listed own senders would lose mail: fix them first.
        case readyAfterFixes = "ready_after_fixes"
        /// Too few days, reporters or messages to judge.
        case notEnoughEvidence = "not_enough_evidence"
        /// Already at `p=reject` without `t=y`: nothing further to take.
        case enforced
        /// No report in the days looked at.
        case noReports = "no_reports"
    }

    /// Messages failing DMARC, and from how many sources, in one class.
    public struct Failing: Sendable, Hashable {
        public var messages: Int64 = 0
        public var sources = 0
        public init() {}
    }

    /// An own sender that would lose mail under enforcement.
    public struct Sender: Sendable, Hashable {
        public var sourceIP: String
        public var name: String?
        public var failing: Int64
        public var fix: String?

        public init(sourceIP: String, name: String?, failing: Int64, fix: String?) {
            self.sourceIP = sourceIP
            self.name = name
            self.failing = failing
            self.fix = fix
        }
    }

    public var domain: String
    public var days: Int
    public var reporters: Int
    public var messages: Int64
    public var dmarcPass: Int64
    public var policy: PublishedPolicy?
    public var spoofing = Failing()
    public var forwarded = Failing()
    public var misconfigured = Failing()
    /// Own senders failing beyond the tolerance, most failing first.
    public var blocking: [Sender] = []
    public var verdict: Verdict
    /// Why the evidence is not enough: `6 days`, `1 reporter`.
    public var shortfall: [String] = []
    /// The record to publish next (RFC 9989 staging), nil when there is none.
    public var nextStep: String?
    /// Subdomain advice: `np=reject` for names that do not exist.
    public var subdomainStep: String?

    public init(domain: String, days: Int, reporters: Int, messages: Int64, dmarcPass: Int64, verdict: Verdict) {
        self.domain = domain
        self.days = days
        self.reporters = reporters
        self.messages = messages
        self.dmarcPass = dmarcPass
        self.verdict = verdict
    }

    public var dmarcFail: Int64 { spoofing.messages + forwarded.messages + misconfigured.messages }
}
