/// One DMARC report as the dashboard shows it: its header, a page of its records, its diagnostics.
public struct ReportDetail: Sendable {
    public struct Row: Sendable {
        public var sourceIP: String
        public var count: Int64
        public var disposition: String?
        public var dkim: String?
        public var spf: String?
        public var headerFrom: String?
        public var envelopeFrom: String?
        public var dkimDomain: String?
        public var dkimResult: String?
        public var spfDomain: String?
        public var spfResult: String?

        public init(
            sourceIP: String, count: Int64, disposition: String?, dkim: String?, spf: String?, headerFrom: String?,
            envelopeFrom: String?, dkimDomain: String?, dkimResult: String?, spfDomain: String?, spfResult: String?
        ) {
            self.sourceIP = sourceIP
            self.count = count
            self.disposition = disposition
            self.dkim = dkim
            self.spf = spf
            self.headerFrom = headerFrom
            self.envelopeFrom = envelopeFrom
            self.dkimDomain = dkimDomain
            self.dkimResult = dkimResult
            self.spfDomain = spfDomain
            self.spfResult = spfResult
        }
    }

    public var orgName: String?
    public var email: String?
    public var reportID: String
    public var policyDomain: String
    public var begin: Int64
    public var end: Int64
    public var records: Int
    public var messages: Int64
    public var counted: Bool
    public var recordsPruned: Bool
    public var rows: [Row]
    /// Severity, code, message and how often.
    public var diagnostics: [(severity: String, code: String, message: String, occurrences: Int)]

    public init(
        orgName: String?, email: String?, reportID: String, policyDomain: String, begin: Int64, end: Int64,
        records: Int, messages: Int64, counted: Bool, recordsPruned: Bool, rows: [Row],
        diagnostics: [(severity: String, code: String, message: String, occurrences: Int)]
    ) {
        self.orgName = orgName
        self.email = email
        self.reportID = reportID
        self.policyDomain = policyDomain
        self.begin = begin
        self.end = end
        self.records = records
        self.messages = messages
        self.counted = counted
        self.recordsPruned = recordsPruned
        self.rows = rows
        self.diagnostics = diagnostics
    }
}
