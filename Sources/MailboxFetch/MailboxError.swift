/// Why a mailbox could not be read, naming the server and the reason, with a kind that decides the
/// exit status.
public struct MailboxError: Error, CustomStringConvertible, Sendable {
    public enum Kind: Sendable {
        /// The server could not be reached, its TLS failed or could not be verified, or it went away.
        case unavailable
        /// The server refused the login.
        case refused
        /// The server answered something this client cannot go on from (a mailbox that is not there).
        case protocolError
        /// What was asked cannot work (a password over an unencrypted connection, a bad URL).
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
