import ReportModel

/// A record's DMARC outcome as Rua counts it (standards digest §6.3): the reporter's `policy_evaluated`
/// verdicts where they are `pass` or `fail`, the recomputation where they are missing or non-standard,
/// and where the two disagree.
public struct RecordVerdict: Hashable, Sendable {
    public enum Disagreement: String, Sendable, CaseIterable {
        /// The reporter says an identifier aligned and passed, the listed auth results show none.
        case unsupportedPass = "unsupported_pass"
        /// The reporter says it failed, the listed auth results show an aligned pass.
        case contradictingFail = "contradicting_fail"
    }

    public var dkimAligned: Bool
    public var spfAligned: Bool
    public var computedDKIMAligned: Bool
    public var computedSPFAligned: Bool
    /// True when a side was missing or non-standard in `policy_evaluated` and the recomputation filled it.
    public var derivedFromAuthResults: Bool
    public var disagreement: Disagreement?

    public var dmarcPass: Bool { dkimAligned || spfAligned }
    public var computedDMARCPass: Bool { computedDKIMAligned || computedSPFAligned }

    public init(
        reportedDKIM: Reported<DMARCResult>?, reportedSPF: Reported<DMARCResult>?, facts: AlignmentFacts,
        adkim: AlignmentMode?, aspf: AlignmentMode?
    ) {
        computedDKIMAligned = facts.dkimAligned(adkim)
        computedSPFAligned = facts.spfAligned(aspf)
        dkimAligned = reportedDKIM?.word.map { $0 == .pass } ?? computedDKIMAligned
        spfAligned = reportedSPF?.word.map { $0 == .pass } ?? computedSPFAligned
        derivedFromAuthResults = reportedDKIM?.word == nil || reportedSPF?.word == nil
        let reported = [(reportedDKIM?.word, computedDKIMAligned), (reportedSPF?.word, computedSPFAligned)]
        if reported.contains(where: { $0.0 == .pass && !$0.1 }) {
            disagreement = .unsupportedPass
        } else if reported.contains(where: { $0.0 == .fail && $0.1 }) {
            disagreement = .contradictingFail
        } else {
            disagreement = nil
        }
    }
}
