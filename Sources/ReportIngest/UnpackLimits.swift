/// Bounds that keep unpacking safe whatever a sender mails us.
public struct UnpackLimits: Sendable {
    /// Most decompressed bytes one report may have (`--max-report-bytes`).
    public var maxReportBytes: Int64
    /// Most compression layers around one report (gzip in gzip in zip …).
    public var maxDepth: Int
    /// Most decompressed bytes of one input altogether (all its archive members): bounds the work a small
    /// archive can ask for, whatever its members claim. Never below ``maxReportBytes``.
    public var maxInputBytes: Int64
    /// Most members read from one zip archive.
    public var maxZipMembers: Int
    /// Bytes read or inflated per step.
    public var chunkSize: Int

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
