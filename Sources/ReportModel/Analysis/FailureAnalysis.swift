/// `rua failures`: traffic not aligned on both SPF and DKIM, by policy domain, source and class.
public struct FailureAnalysis: Hashable, Sendable {
    /// One source's traffic of one class for one policy domain.
    public struct Group: Hashable, Sendable {
        public var policyDomain: String
        public var sourceIP: String
        public var failureClass: FailureClass
        public var messages: Int64 = 0
        /// Of `messages`, those that failed DMARC (the rest passed on one aligned identifier).
        public var dmarcFail: Int64 = 0
        public var records = 0
        public var reporters: [String] = []
        public var headerFrom: [String] = []
        /// The facts behind the class, most frequent first.
        public var evidence: [String] = []
        public var fix: String?
        /// Domains that passed DKIM (d=) and SPF for this source's mail here, most messages first.
        public var dkimDomains: [String] = []
        public var spfDomains: [String] = []

        public init(policyDomain: String, sourceIP: String, failureClass: FailureClass) {
            self.policyDomain = policyDomain
            self.sourceIP = sourceIP
            self.failureClass = failureClass
        }
    }

    /// Records where a reporter's `policy_evaluated` disagrees with Rua's recomputation.
    public struct Disagreement: Hashable, Sendable {
        public var reporter: String
        public var records = 0
        public var messages: Int64 = 0
        public var unsupportedPass = 0
        public var contradictingFail = 0

        public init(reporter: String) { self.reporter = reporter }
    }

    /// Per policy domain: all messages in the period and those in ``groups``.
    public struct DomainTotals: Hashable, Sendable {
        public var policyDomain: String
        public var messages: Int64 = 0
        public var notFullyAligned: Int64 = 0
        public var dmarcFail: Int64 = 0

        public init(policyDomain: String) { self.policyDomain = policyDomain }
    }

    public var domains: [DomainTotals]
    public var groups: [Group]
    public var disagreements: [Disagreement]
    /// Who each source is, by address, when identified.
    public var attributions: [String: SourceAttribution] = [:]

    public init(domains: [DomainTotals], groups: [Group], disagreements: [Disagreement]) {
        self.domains = domains
        self.groups = groups
        self.disagreements = disagreements
    }
}
