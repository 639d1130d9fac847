/// A stored DMARC report as its records' context: who reported what, for which policy and period.
public struct RecordContext: Hashable, Sendable {
    public var reportRowID: Int64
    public var reporter: String
    public var reportID: String
    public var policy: PolicyPublished
    public var begin: Int64
    public var end: Int64

    public init(
        reportRowID: Int64, reporter: String, reportID: String, policy: PolicyPublished, begin: Int64, end: Int64
    ) {
        self.reportRowID = reportRowID
        self.reporter = reporter
        self.reportID = reportID
        self.policy = policy
        self.begin = begin
        self.end = end
    }

    public var policyDomain: String { policy.domain ?? "" }
}

/// A record read back from the store, with the alignment recomputed when it was stored.
public struct StoredRecord: Hashable, Sendable {
    public var id: Int64
    public var record: ReportRecord
    public var facts: AlignmentFacts

    public init(id: Int64, record: ReportRecord, facts: AlignmentFacts) {
        self.id = id
        self.record = record
        self.facts = facts
    }
}

extension Reported {
    /// A value as the store keeps it: the canonical word when it is one, else verbatim. Inlinable, so
    /// callers reading millions of rows get it specialized.
    @inlinable
    public init?(stored text: String?) {
        guard let text else { return nil }
        self = Word(rawValue: text).map { .known($0) } ?? .unknown(text)
    }
}
