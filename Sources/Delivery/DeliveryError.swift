/// Why a digest or alert was not delivered, in words that name the server and the reason, and as a kind
/// that decides the exit status.
public struct DeliveryError: Error, CustomStringConvertible, Sendable {
    public enum Kind: Sendable {
        /// The server could not be reached, or its TLS could not be established or verified.
        case unavailable
        /// The server refused the login.
        case refused
        /// The server turned the message down for now (a 4xx answer): try again later.
        case temporary
        /// The server turned the message down (a 5xx answer, an HTTP error), or the local mailer failed.
        case rejected
        /// What was asked cannot work (a password over an unencrypted connection, a bad address).
        case usage
    }

    public var kind: Kind
    public var message: String

    public init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }

    public var description: String { message }
}
