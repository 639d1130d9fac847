import ReportModel

/// Why an input (or one member of it) could not be used, and where.
///
/// Reads as `inbox/r.zip › a.xml.gz: gzip stream truncated after 18211 bytes`.
public struct IngestError: Error, Sendable, CustomStringConvertible {
    public var code: Code
    public var message: String
    public var location: InputLocation

    public init(_ code: Code, _ message: String, at location: InputLocation) {
        self.code = code
        self.message = message
        self.location = location
    }

    public var description: String { "\(location): \(message)" }

    /// Error codes: a struct over a private enum, so codes can be added without breaking a `switch`.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Base: String {
            case empty, notAReport, tooLarge, truncated, corrupt, tooDeep, tooManyMembers, unreadable
        }
        private let base: Base
        private init(_ base: Base) { self.base = base }

        /// A 0-byte file or member.
        public static let empty = Code(.empty)
        /// The bytes are none of gzip, zlib, zip, XML or JSON.
        public static let notAReport = Code(.notAReport)
        /// Decompressed size over the configured cap (a decompression bomb, or a very large report).
        public static let tooLarge = Code(.tooLarge)
        /// A compressed stream or archive that ends early.
        public static let truncated = Code(.truncated)
        /// Damaged compressed data or archive structure (bad CRC, bad header).
        public static let corrupt = Code(.corrupt)
        /// Compression layers nested deeper than the limit.
        public static let tooDeep = Code(.tooDeep)
        /// An archive with more members than the limit.
        public static let tooManyMembers = Code(.tooManyMembers)
        /// The file could not be read (permissions, I/O error).
        public static let unreadable = Code(.unreadable)

        public var description: String { base.rawValue }
    }
}
