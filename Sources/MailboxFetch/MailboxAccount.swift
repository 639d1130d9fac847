import Foundation
import NetworkClient

/// A mailbox on an IMAP server, from a URL: `imaps://user@host[:993]/FOLDER` (TLS from the first byte)
/// or `imap://user@host[:143]/FOLDER` (STARTTLS). The folder defaults to INBOX; levels are separated
/// by `/` whatever the server's delimiter, and percent-escapes are decoded (`%40` in a user name).
public struct MailboxAccount: Sendable {
    public var implicitTLS: Bool
    public var host: String
    public var port: Int
    public var user: String
    public var folder: String

    public init(url: String) throws {
        let lower = url.lowercased()
        let scheme: String
        if lower.hasPrefix("imaps://") {
            scheme = "imaps://"
            implicitTLS = true
        } else if lower.hasPrefix("imap://") {
            scheme = "imap://"
            implicitTLS = false
        } else {
            throw NetworkError(
                .usage, "\(url): use imaps://USER@HOST/FOLDER (TLS) or imap://USER@HOST/FOLDER (STARTTLS)")
        }
        var rest = Substring(url.dropFirst(scheme.count))
        let authority = rest.prefix { $0 != "/" }
        rest = rest.dropFirst(authority.count).drop { $0 == "/" }
        guard let at = authority.lastIndex(of: "@") else {
            throw NetworkError(.usage, "\(url): the URL names no user (imaps://USER@HOST/FOLDER)")
        }
        let userPart = authority[..<at]
        guard !userPart.contains(":") else {
            throw NetworkError(
                .usage, "\(url): no password in the URL, where ps shows it: use --password-file or RUA_IMAP_PASSWORD")
        }
        user = String(userPart).removingPercentEncoding ?? String(userPart)
        var hostPart = authority[authority.index(after: at)...]
        var portNumber = implicitTLS ? 993 : 143
        if hostPart.hasPrefix("[") {
            guard let close = hostPart.firstIndex(of: "]") else {
                throw NetworkError(.usage, "\(url): a bad IPv6 address")
            }
            let after = hostPart[hostPart.index(after: close)...]
            if after.hasPrefix(":") {
                guard let number = Int(after.dropFirst()) else { throw NetworkError(.usage, "\(url): a bad port") }
                portNumber = number
            }
            hostPart = hostPart[hostPart.index(after: hostPart.startIndex)..<close]
        } else if let colon = hostPart.lastIndex(of: ":") {
            guard let number = Int(hostPart[hostPart.index(after: colon)...]) else {
                throw NetworkError(.usage, "\(url): a bad port")
            }
            portNumber = number
            hostPart = hostPart[..<colon]
        }
        guard !hostPart.isEmpty, (1...65_535).contains(portNumber) else {
            throw NetworkError(.usage, "\(url): the URL names no host or a bad port")
        }
        host = String(hostPart)
        port = portNumber
        let decoded = String(rest).removingPercentEncoding ?? String(rest)
        folder = decoded.isEmpty ? "INBOX" : decoded.hasSuffix("/") ? String(decoded.dropLast()) : decoded
    }

    /// The server, for messages: `imaps://imap.example.com:993`.
    public var server: String {
        (implicitTLS ? "imaps://" : "imap://") + (host.contains(":") ? "[\(host)]" : host) + ":\(port)"
    }

    /// How an input fetched from here is named (RFC 5092's form): the folder, its UIDVALIDITY and the UID.
    func inputName(uidValidity: UInt32, uid: UInt32) -> String {
        let user = self.user.addingPercentEncoding(withAllowedCharacters: .urlUserAllowed) ?? self.user
        let folder = self.folder.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed) ?? self.folder
        return (implicitTLS ? "imaps://" : "imap://")
            + "\(user)@\(host):\(port)/\(folder);UIDVALIDITY=\(uidValidity)/;UID=\(uid)"
    }
}
