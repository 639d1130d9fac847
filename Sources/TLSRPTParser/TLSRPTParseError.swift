/// Why a JSON payload could not become a stored TLS report.
public struct TLSRPTParseError: Error, Sendable, CustomStringConvertible, Equatable {
    public var message: String

    public init(_ message: String) {
        self.message = message
    }

    public var description: String { message }
}
