import Foundation
import ReportModel

/// Where the reports are kept: a SQLite file (a plain path, or a `sqlite:` URL) or a PostgreSQL
/// database (a `postgresql://` or `postgres://` URL, as libpq reads it).
public enum DatabaseLocation: Equatable, Sendable, CustomStringConvertible {
    case sqlite(path: String)
    case postgresql(url: String)

    /// Reads `--db`'s value. A `postgresql://` URL that holds a password is refused: passwords come
    /// from `~/.pgpass`, `PGPASSWORD` or a password file, never from a command line others can read.
    public init(_ text: String) throws {
        let lowered = text.lowercased()
        if lowered.hasPrefix("postgresql://") || lowered.hasPrefix("postgres://") {
            if PostgresLocation.hasPassword(text) {
                throw StoreError(
                    "the database URL holds a password; put it in ~/.pgpass, PGPASSWORD or --db-password-file",
                    concernsDatabase: false)
            }
            self = .postgresql(url: text)
        } else if lowered.hasPrefix("sqlite://") {
            self = .sqlite(path: String(text.dropFirst("sqlite://".count)))
        } else if lowered.hasPrefix("sqlite:") {
            self = .sqlite(path: String(text.dropFirst("sqlite:".count)))
        } else {
            self = .sqlite(path: text)
        }
    }

    public var engine: StoreEngine {
        switch self {
        case .sqlite: .sqlite
        case .postgresql: .postgresql
        }
    }

    /// The location as messages show it.
    public var description: String {
        switch self {
        case .sqlite(let path): path
        case .postgresql(let url): PostgresLocation.redacted(url)
        }
    }
}

/// What the store reads from PostgreSQL URLs itself (libpq reads the rest).
enum PostgresLocation {
    /// The URL's `user:password@` part, if it has a password.
    static func hasPassword(_ url: String) -> Bool {
        guard let authority = authority(url), let at = authority.lastIndex(of: "@") else {
            return url.range(of: "password=", options: .caseInsensitive) != nil
        }
        return authority[..<at].contains(":") || url.range(of: "password=", options: .caseInsensitive) != nil
    }

    /// The URL without its query and without any password: for messages.
    static func redacted(_ url: String) -> String {
        var text = url
        if let query = text.firstIndex(of: "?") { text = String(text[..<query]) }
        guard let authority = authority(text), let at = authority.lastIndex(of: "@") else { return text }
        let user = authority[..<at]
        guard let colon = user.firstIndex(of: ":") else { return text }
        return text.replacingOccurrences(of: String(user) + "@", with: String(user[..<colon]) + ":…@")
    }

    private static func authority(_ url: String) -> Substring? {
        guard let scheme = url.range(of: "://") else { return nil }
        let rest = url[scheme.upperBound...]
        let end = rest.firstIndex(where: { $0 == "/" || $0 == "?" }) ?? rest.endIndex
        return rest[..<end]
    }
}
