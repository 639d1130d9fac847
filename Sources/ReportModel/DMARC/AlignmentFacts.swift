/// What a record's raw authentication results say about alignment, recomputed by Rua (standards digest
/// §6.3) in both modes, so the policy's `adkim`/`aspf` can pick one later. Stored with each record.
public struct AlignmentFacts: OptionSet, Hashable, Sendable {
    public let rawValue: Int64
    public init(rawValue: Int64) { self.rawValue = rawValue }

    /// A passing DKIM signature whose `d=` has header_from's Organizational Domain.
    public static let dkimRelaxed = AlignmentFacts(rawValue: 1 << 0)
    /// A passing DKIM signature whose `d=` is header_from exactly.
    public static let dkimStrict = AlignmentFacts(rawValue: 1 << 1)
    /// SPF passed for a MAIL FROM domain with header_from's Organizational Domain.
    public static let spfRelaxed = AlignmentFacts(rawValue: 1 << 2)
    /// SPF passed for a MAIL FROM domain equal to header_from.
    public static let spfStrict = AlignmentFacts(rawValue: 1 << 3)
    /// Some DKIM signature passed, aligned or not.
    public static let dkimPassedAny = AlignmentFacts(rawValue: 1 << 4)
    /// SPF passed for some MAIL FROM (or HELO standing in for a null one), aligned or not.
    public static let spfPassedAny = AlignmentFacts(rawValue: 1 << 5)
    /// The record lists DKIM results at all.
    public static let hasDKIMResults = AlignmentFacts(rawValue: 1 << 6)
    /// The record lists SPF results at all.
    public static let hasSPFResults = AlignmentFacts(rawValue: 1 << 7)

    /// Recomputed DKIM alignment under `mode` (relaxed when the report does not say).
    public func dkimAligned(_ mode: AlignmentMode?) -> Bool {
        contains(mode == .strict ? .dkimStrict : .dkimRelaxed)
    }

    /// Recomputed SPF alignment under `mode`.
    public func spfAligned(_ mode: AlignmentMode?) -> Bool {
        contains(mode == .strict ? .spfStrict : .spfRelaxed)
    }
}
