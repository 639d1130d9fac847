/// Which stored reports a query covers. A report belongs to a period when its `begin` falls in it.
public struct ReportFilter: Hashable, Sendable {
    /// Policy domain (exact, case-insensitive).
    public var domain: String?
    /// Earliest `begin`, epoch seconds UTC, inclusive.
    public var since: Int64?
    /// Latest `begin`, epoch seconds UTC, inclusive.
    public var until: Int64?

    public init(domain: String? = nil, since: Int64? = nil, until: Int64? = nil) {
        self.domain = domain?.lowercased()
        self.since = since
        self.until = until
    }
}
