/// Why traffic that is not fully aligned looks the way it does (standards digest §6.5).
public enum FailureClass: String, Sendable, CaseIterable, Comparable {
    /// Nothing authenticates: spoofing, or a legitimate source nobody set up.
    case unauthorized
    /// Indirect flow: a forwarder or mailing list re-sent the domain's mail.
    case forwarded
    /// A sender of the domain's own that authenticates, but not aligned with header_from.
    case misconfigured

    public var title: String {
        switch self {
        case .unauthorized: "spoofing / unauthorized"
        case .forwarded: "forwarded / mailing list"
        case .misconfigured: "own sender misconfigured"
        }
    }

    public static func < (lhs: FailureClass, rhs: FailureClass) -> Bool {
        allCases.firstIndex(of: lhs)! < allCases.firstIndex(of: rhs)!
    }
}

/// A record's class, the facts that decided it, and for a misconfigured sender the fix in one line.
public struct FailureClassification: Hashable, Sendable {
    public var failureClass: FailureClass
    public var evidence: [String]
    public var fix: String?

    public init(failureClass: FailureClass, evidence: [String], fix: String?) {
        self.failureClass = failureClass
        self.evidence = evidence
        self.fix = fix
    }
}
