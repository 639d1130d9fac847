/// Bounds that keep unpacking safe whatever a sender mails us.
public struct UnpackLimits: Sendable {
    /// Most decompressed bytes one report may have (`--max-report-bytes`).
    public var maxReportBytes: Int64
    /// Most compression layers around one report (gzip in gzip in zip …).
    public var maxDepth: Int
    /// Most decompressed bytes of one input altogether (all its archive members): bounds the work a small
    /// archive can ask for, whatever its members claim. Never below ``maxReportBytes``.
    public var maxInputBytes: Int64
    /// Most archive members read from one input, nested archives included.
    public var maxZipMembers: Int
    /// Bytes read or inflated per step.
    public var chunkSize: Int
    /// What the input being unpacked has used of ``maxInputBytes`` and ``maxZipMembers``, shared by every
    /// archive and stream nested in it: a zip of zips must not multiply the bounds.
    var budget: InputBudget?

    public static let defaultMaxReportBytes: Int64 = 1 << 30
    public static let defaultMaxInputBytes: Int64 = 4 << 30

    public init(
        maxReportBytes: Int64 = UnpackLimits.defaultMaxReportBytes,
        maxInputBytes: Int64 = UnpackLimits.defaultMaxInputBytes,
        maxDepth: Int = 4,
        maxZipMembers: Int = 10_000,
        chunkSize: Int = 256 * 1024
    ) {
        self.maxReportBytes = maxReportBytes
        self.maxInputBytes = max(maxInputBytes, maxReportBytes)
        self.maxDepth = maxDepth
        self.maxZipMembers = maxZipMembers
        self.chunkSize = chunkSize
    }
}

extension UnpackLimits {
    /// These limits with a fresh budget, for one input.
    func forOneInput() -> UnpackLimits {
        var limits = self
        limits.budget = InputBudget()
        return limits
    }
}

/// One input's use of the unpacking bounds, across every archive and stream nested in it.
final class InputBudget: @unchecked Sendable {
    // @unchecked: an input is unpacked on one thread, from start to end.
    /// Decompressed bytes, all layers together.
    var inflated: Int64 = 0
    /// Archive members seen, all archives together.
    var members = 0
}
