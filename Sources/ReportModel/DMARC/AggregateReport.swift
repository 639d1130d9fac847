/// One DMARC aggregate report's report-level data: everything except the records, which arrive one
/// by one while a report streams through the parser.
public struct AggregateReportHeader: Hashable, Sendable {
    public var metadata = ReportMetadata()
    public var policy = PolicyPublished()
    /// `<version>` as written, if present.
    public var version: String?
    /// Namespace URI of the `<feedback>` element, if any.
    public var namespace: String?
    /// File-level extension elements (RFC 9990 `<extension>`, and unknown elements), verbatim XML.
    public var extensions: [String] = []
    /// True when the XML was not well-formed and libxml2's recovery produced the content.
    public var recovered = false

    public init() {}

    /// True when the report uses RFC 9990 (namespace or any element RFC 7489 lacks).
    public var isRFC9990: Bool {
        namespace == "urn:ietf:params:xml:ns:dmarc-2.0" || policy.np != nil || policy.testing != nil
            || policy.discoveryMethod != nil || metadata.generator != nil
    }
}

/// `report_metadata`.
public struct ReportMetadata: Hashable, Sendable {
    public var orgName: String?
    public var email: String?
    public var extraContactInfo: String?
    /// `report_id` as written (trimmed).
    public var reportID: String?
    /// `date_range/begin` and `/end`, epoch seconds UTC.
    public var begin: Int64?
    public var end: Int64?
    public var errors: [String] = []
    public var generator: String?

    public init() {}
}

/// `policy_published`.
public struct PolicyPublished: Hashable, Sendable {
    public var domain: String?
    public var adkim: Reported<AlignmentMode>?
    public var aspf: Reported<AlignmentMode>?
    public var p: Reported<Disposition>?
    public var sp: Reported<Disposition>?
    public var np: Reported<Disposition>?
    /// `pct` as written (RFC 7489; removed in RFC 9990).
    public var pct: Int?
    public var fo: String?
    public var testing: Reported<TestingMode>?
    public var discoveryMethod: Reported<DiscoveryMethod>?

    public init() {}
}

/// One `<record>`.
public struct ReportRecord: Hashable, Sendable {
    /// Most DKIM results, SPF results or override reasons kept per record (RFC 9990 allows 100 DKIM
    /// results; more than this is an attack, and the rest is dropped with a diagnostic).
    public static let maxResultsPerKind = 1 << 16

    /// Canonical text form (RFC 5952 for IPv6), or the value verbatim when it is not an address.
    public var sourceIP: String = ""
    public var count: Int64 = 0
    public var disposition: Reported<Disposition>?
    public var dkim: Reported<DMARCResult>?
    public var spf: Reported<DMARCResult>?
    public var reasons: [OverrideReason] = []
    public var envelopeTo: String?
    public var envelopeFrom: String?
    public var headerFrom: String?
    public var dkimResults: [DKIMAuthResult] = []
    public var spfResults: [SPFAuthResult] = []
    /// Record-level extension elements, verbatim XML.
    public var extensions: [String] = []

    public init() {}

    /// DMARC pass as the reporter evaluated it: an aligned DKIM or SPF pass.
    public var passesDMARC: Bool {
        dkim == .known(.pass) || spf == .known(.pass)
    }
}

/// `policy_evaluated/reason`.
public struct OverrideReason: Hashable, Sendable {
    public var type: Reported<OverrideType>?
    public var comment: String?

    public init(type: Reported<OverrideType>? = nil, comment: String? = nil) {
        self.type = type
        self.comment = comment
    }
}

/// `auth_results/dkim`.
public struct DKIMAuthResult: Hashable, Sendable {
    public var domain: String?
    public var selector: String?
    public var result: Reported<DKIMResult>?
    public var humanResult: String?

    public init(
        domain: String? = nil, selector: String? = nil, result: Reported<DKIMResult>? = nil, humanResult: String? = nil
    ) {
        self.domain = domain
        self.selector = selector
        self.result = result
        self.humanResult = humanResult
    }
}

/// `auth_results/spf`.
public struct SPFAuthResult: Hashable, Sendable {
    public var domain: String?
    public var scope: Reported<SPFScope>?
    public var result: Reported<SPFResult>?
    public var humanResult: String?

    public init(
        domain: String? = nil, scope: Reported<SPFScope>? = nil, result: Reported<SPFResult>? = nil,
        humanResult: String? = nil
    ) {
        self.domain = domain
        self.scope = scope
        self.result = result
        self.humanResult = humanResult
    }
}

/// A whole report in memory: header, records and diagnostics. Used by tests and small inputs; the import
/// pipeline streams records instead.
public struct AggregateReport: Hashable, Sendable {
    public var header: AggregateReportHeader
    public var records: [ReportRecord]
    public var diagnostics: [Diagnostic]

    public init(header: AggregateReportHeader, records: [ReportRecord], diagnostics: [Diagnostic]) {
        self.header = header
        self.records = records
        self.diagnostics = diagnostics
    }
}

extension AggregateReportHeader {
    /// Who sent the report, for identity and grouping: the lower-cased `org_name`, else the domain of
    /// `email`, else the empty string.
    public var reporter: String {
        if let org = metadata.orgName?.lowercased(), !org.isEmpty { return org }
        if let email = metadata.email, let at = email.lastIndex(of: "@") {
            let domain = email[email.index(after: at)...].lowercased()
            if !domain.isEmpty { return domain }
        }
        return ""
    }

    /// `report_id` for duplicate detection: trimmed, without surrounding angle brackets.
    public var reportKey: String {
        var key = Substring(metadata.reportID ?? "")
        if key.hasPrefix("<") && key.hasSuffix(">") && key.count >= 2 { key = key.dropFirst().dropLast() }
        return String(key)
    }
}
