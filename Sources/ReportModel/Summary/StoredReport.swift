/// One stored report as `rua reports` lists it.
public struct StoredReport: Hashable, Sendable {
    public var id: Int64
    public var kind: ImportItem.Kind
    public var orgName: String?
    public var email: String?
    public var reportID: String
    public var policyDomain: String
    public var begin: Int64
    public var end: Int64
    public var records: Int
    public var messages: Int64
    /// False for a report with the identity of an earlier one but different content: kept, not counted.
    public var counted: Bool
    /// True when the XML was broken and recovered.
    public var recovered: Bool
    /// The input it came from, as first given, and the archive member.
    public var input: String
    public var part: String?
    public var diagnostics: Int
    /// True when `rua prune` deleted its records (its counts stay).
    public var recordsPruned = false

    public init(
        id: Int64, kind: ImportItem.Kind, orgName: String?, email: String?, reportID: String, policyDomain: String,
        begin: Int64, end: Int64, records: Int, messages: Int64, counted: Bool, recovered: Bool, input: String,
        part: String?, diagnostics: Int
    ) {
        self.id = id
        self.kind = kind
        self.orgName = orgName
        self.email = email
        self.reportID = reportID
        self.policyDomain = policyDomain
        self.begin = begin
        self.end = end
        self.records = records
        self.messages = messages
        self.counted = counted
        self.recovered = recovered
        self.input = input
        self.part = part
        self.diagnostics = diagnostics
    }
}
