import Foundation

/// Why a server could not be used (an SMTP server, a webhook, an IMAP server, a token endpoint), in
/// words that name the server and the reason, and as a kind that decides the exit status.
public struct NetworkError: Error, CustomStringConvertible, Sendable {
    public enum Kind: Sendable {
        /// The server could not be reached, its TLS could not be established or verified, or it went away.
        case unavailable
        /// The server refused the login (or the token).
        case refused
        /// The server turned the request down for now (SMTP 4xx, HTTP 429 or 5xx): try again later.
        case temporary
        /// The server turned the request down (SMTP 5xx, another HTTP status), or the local mailer failed.
        case rejected
        /// The server answered something the client cannot go on from (a folder that is not there).
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

extension NetworkError {
    /// A URL as messages show it: scheme and host, the path (where webhooks and some endpoints keep a
    /// secret) left out as `/…`.
    public static func shown(_ url: String) -> String {
        guard let scheme = url.range(of: "://") else { return url }
        let rest = url[scheme.upperBound...]
        let host = rest.prefix { $0 != "/" && $0 != "?" }
        return String(url[..<scheme.upperBound]) + String(host) + (rest.count > host.count ? "/…" : "")
    }
}
