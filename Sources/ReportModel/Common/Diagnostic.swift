/// Something odd about an input that did not stop it from being used: a repaired value, a skipped
/// member, bytes after a gzip stream. Diagnostics are stored with the report they concern.
public struct Diagnostic: Hashable, Sendable, CustomStringConvertible {
    public enum Severity: String, Sendable, CaseIterable, Comparable {
        case note, warning

        public static func < (lhs: Severity, rhs: Severity) -> Bool {
            lhs == .note && rhs == .warning
        }
    }

    public var code: DiagnosticCode
    public var severity: Severity
    public var message: String
    /// How many times the same diagnostic occurred (for example once per record).
    public var occurrences: Int

    public init(_ code: DiagnosticCode, _ severity: Severity = .warning, _ message: String, occurrences: Int = 1) {
        self.code = code
        self.severity = severity
        self.message = message
        self.occurrences = occurrences
    }

    public var description: String {
        let times = occurrences > 1 ? " (×\(occurrences))" : ""
        return "\(code.rawValue): \(message)\(times)"
    }
}

/// A stable, machine-readable name for a kind of diagnostic. New codes can be added freely.
public struct DiagnosticCode: RawRepresentable, Hashable, Sendable, Comparable {
    public let rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }

    public static func < (lhs: DiagnosticCode, rhs: DiagnosticCode) -> Bool { lhs.rawValue < rhs.rawValue }

    // Unpacking
    public static let gzipTrailingBytes = DiagnosticCode(rawValue: "gzip-trailing-bytes")
    public static let gzipMultiMember = DiagnosticCode(rawValue: "gzip-multi-member")
    public static let nestedCompression = DiagnosticCode(rawValue: "nested-compression")
    public static let zlibStream = DiagnosticCode(rawValue: "zlib-stream")
    public static let byteOrderMark = DiagnosticCode(rawValue: "byte-order-mark")
    // XML
    public static let recoveredXML = DiagnosticCode(rawValue: "recovered-xml")
    public static let declaredEncoding = DiagnosticCode(rawValue: "declared-encoding")
    public static let schemaWrapper = DiagnosticCode(rawValue: "schema-wrapper")
    public static let unknownElement = DiagnosticCode(rawValue: "unknown-element")
    public static let duplicateElement = DiagnosticCode(rawValue: "duplicate-element")
    // Values
    public static let enumCase = DiagnosticCode(rawValue: "enum-case")
    public static let enumAlias = DiagnosticCode(rawValue: "enum-alias")
    public static let unknownValue = DiagnosticCode(rawValue: "unknown-value")
    public static let emptyElement = DiagnosticCode(rawValue: "empty-element")
    public static let missingElement = DiagnosticCode(rawValue: "missing-element")
    public static let invalidIP = DiagnosticCode(rawValue: "invalid-ip")
    public static let invalidDomain = DiagnosticCode(rawValue: "invalid-domain")
    public static let lenientNumber = DiagnosticCode(rawValue: "lenient-number")
    public static let dateFromFileName = DiagnosticCode(rawValue: "date-from-file-name")
    public static let fileNameMismatch = DiagnosticCode(rawValue: "file-name-mismatch")
    public static let oddDateRange = DiagnosticCode(rawValue: "odd-date-range")
    public static let missingOrgName = DiagnosticCode(rawValue: "missing-org-name")
    public static let truncated = DiagnosticCode(rawValue: "diagnostics-truncated")
    // Store
    public static let sameIdentityDifferentContent = DiagnosticCode(rawValue: "same-identity-different-content")
}
