/// What happened to one item of an import: a file, or one member of an archive.
public struct ImportItem: Hashable, Sendable {
    public enum Outcome: String, Sendable, CaseIterable {
        /// A new report, now in the database.
        case stored
        /// A report (or a whole input) already in the database; nothing was added.
        case duplicate
        /// Not a usable report; the original bytes are kept with the reason.
        case rejected
        /// Not report data (a directory entry, macOS metadata, a format not yet supported).
        case skipped
    }

    public enum Kind: String, Sendable {
        case dmarc, tlsrpt
    }

    /// The path as given on the command line.
    public var input: String
    /// The archive member chain, or `nil` for the file itself.
    public var part: String?
    public var outcome: Outcome
    public var kind: Kind?
    public var orgName: String?
    public var reportID: String?
    public var policyDomain: String?
    /// Epoch seconds UTC.
    public var begin: Int64?
    public var end: Int64?
    public var records: Int?
    public var messages: Int64?
    public var reason: String?
    public var diagnostics: [String]
    /// TLS reports: the policy domains, and sessions summed over policies, as reported.
    public var policyDomains: [String]?
    public var policies: Int?
    public var successfulSessions: Int64?
    public var failedSessions: Int64?

    public init(
        input: String, part: String?, outcome: Outcome, kind: Kind? = nil, orgName: String? = nil,
        reportID: String? = nil,
        policyDomain: String? = nil, begin: Int64? = nil, end: Int64? = nil, records: Int? = nil,
        messages: Int64? = nil,
        reason: String? = nil, diagnostics: [String] = []
    ) {
        self.input = input
        self.part = part
        self.outcome = outcome
        self.kind = kind
        self.orgName = orgName
        self.reportID = reportID
        self.policyDomain = policyDomain
        self.begin = begin
        self.end = end
        self.records = records
        self.messages = messages
        self.reason = reason
        self.diagnostics = diagnostics
    }
}
