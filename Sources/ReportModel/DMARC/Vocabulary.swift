/// The closed vocabularies of RFC 7489 and RFC 9990. Reports sometimes use other words; those are
/// kept verbatim as ``Reported/unknown(_:)``.

/// `p`, `sp`, `np` and `policy_evaluated/disposition`. `pass` is RFC 9990's "no action, DMARC passed".
public enum Disposition: String, Sendable, CaseIterable {
    case none, pass, quarantine, reject
}

/// `adkim` / `aspf`.
public enum AlignmentMode: String, Sendable, CaseIterable {
    case relaxed = "r"
    case strict = "s"
}

/// `policy_evaluated/dkim` and `/spf`: the DMARC-aligned verdicts.
public enum DMARCResult: String, Sendable, CaseIterable {
    case pass, fail
}

/// `auth_results/dkim/result` (RFC 8601 §2.7.1).
public enum DKIMResult: String, Sendable, CaseIterable {
    case none, pass, fail, policy, neutral, temperror, permerror
}

/// `auth_results/spf/result` (RFC 7489, plus `policy` from RFC 9990).
public enum SPFResult: String, Sendable, CaseIterable {
    case none, neutral, pass, fail, softfail, temperror, permerror, policy
}

/// `auth_results/spf/scope`.
public enum SPFScope: String, Sendable, CaseIterable {
    case helo, mfrom
}

/// `policy_evaluated/reason/type` (RFC 7489's six plus RFC 9990's `policy_test_mode`).
public enum OverrideType: String, Sendable, CaseIterable {
    case forwarded
    case sampledOut = "sampled_out"
    case trustedForwarder = "trusted_forwarder"
    case mailingList = "mailing_list"
    case localPolicy = "local_policy"
    case other
    case policyTestMode = "policy_test_mode"
}

/// `policy_published/testing` (RFC 9990: the record's `t=` tag).
public enum TestingMode: String, Sendable, CaseIterable {
    case no = "n"
    case yes = "y"
}

/// `policy_published/discovery_method` (RFC 9990).
public enum DiscoveryMethod: String, Sendable, CaseIterable {
    case psl, treewalk
}

/// A value from a closed vocabulary as a report gave it: a known word, or an unknown one kept verbatim.
public enum Reported<Word>: Hashable, Sendable
where Word: RawRepresentable & Hashable & Sendable, Word.RawValue == String {
    case known(Word)
    case unknown(String)

    /// The canonical word, or the unknown value exactly as reported. Inlinable (as is ``word``), so that
    /// the store and the alignment check, reading them for millions of records, get them specialized.
    @inlinable
    public var text: String {
        switch self {
        case .known(let word): word.rawValue
        case .unknown(let raw): raw
        }
    }

    @inlinable
    public var word: Word? {
        if case .known(let word) = self { return word }
        return nil
    }
}
