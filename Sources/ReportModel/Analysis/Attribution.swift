/// What reverse DNS said about an address.
public enum ReverseLookup: Hashable, Sendable {
    /// The PTR name, and whether the name resolves back to the address (forward-confirmed).
    case name(String, confirmed: Bool)
    /// No PTR record (NXDOMAIN or no data).
    case noPTR
    /// The lookup failed (timeout, server failure): worth asking again sooner.
    case failure(String)
}

/// A known sending service: a mailbox provider, an e-mail service provider, a hosting company.
public struct KnownService: Hashable, Sendable {
    public var name: String
    public var type: String

    public init(name: String, type: String) {
        self.name = name
        self.type = type
    }
}

/// Who a source is, and how Rua knows.
public struct SourceAttribution: Hashable, Sendable {
    public var reverse: ReverseLookup?
    /// The Organizational Domain of the PTR name.
    public var ptrOrganization: String?
    public var service: KnownService?
    /// The facts, in order: `PTR mail-sor-f41.google.com, forward-confirmed`, `DKIM d=google.com`.
    public var evidence: [String]

    public init(reverse: ReverseLookup?, ptrOrganization: String?, service: KnownService?, evidence: [String]) {
        self.reverse = reverse
        self.ptrOrganization = ptrOrganization
        self.service = service
        self.evidence = evidence
    }
}

/// A sending source over a period, summed from the rollups.
public struct SourceTotals: Hashable, Sendable {
    public var sourceIP: String
    public var totals: MessageTotals
    public var policyDomains: [String]
    public var headerFrom: [String]
    /// The begin of the first and of the last report it appears in.
    public var firstBegin: Int64
    public var lastBegin: Int64

    public init(
        sourceIP: String, totals: MessageTotals, policyDomains: [String], headerFrom: [String], firstBegin: Int64,
        lastBegin: Int64
    ) {
        self.sourceIP = sourceIP
        self.totals = totals
        self.policyDomains = policyDomains
        self.headerFrom = headerFrom
        self.firstBegin = firstBegin
        self.lastBegin = lastBegin
    }
}
