/// Why a payload could not become a stored report.
public struct DMARCParseError: Error, Sendable, CustomStringConvertible, Equatable {
    public var code: Code
    public var message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { message }

    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Base: String {
            case notWellFormed, notAggregateReport, missingField, invalidValue, incomplete, forbiddenContent
        }
        private let base: Base
        private init(_ base: Base) { self.base = base }

        /// Broken XML from which no report could be recovered.
        public static let notWellFormed = Code(.notWellFormed)
        /// Well-formed XML whose root is not `<feedback>`.
        public static let notAggregateReport = Code(.notAggregateReport)
        /// A required element is absent and no reliable second source has it.
        public static let missingField = Code(.missingField)
        /// A required value is unusable (a count that is not a number, a negative count).
        public static let invalidValue = Code(.invalidValue)
        /// The document stops before `</feedback>`.
        public static let incomplete = Code(.incomplete)
        /// Content refused for safety: a DTD, entity declarations.
        public static let forbiddenContent = Code(.forbiddenContent)

        public var description: String { base.rawValue }
    }
}
