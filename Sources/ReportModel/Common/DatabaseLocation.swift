import Foundation

/// The database engines the store runs on.
public enum StoreEngine: String, Sendable {
    case sqlite
    case postgresql
}

/// Where the reports are kept: a SQLite file (a plain path, or a `sqlite:` URL) or a PostgreSQL
/// database (a `postgresql://` or `postgres://` URL, as libpq reads it).
public enum DatabaseLocation: Equatable, Sendable, CustomStringConvertible {
    case sqlite(path: String)
    /// `password`: read from a password file; without one libpq reads `PGPASSWORD` or `~/.pgpass`.
    case postgresql(url: String, password: String? = nil)

    /// Reads `--db`'s value. A `postgresql://` URL that holds a password is refused: passwords come
    /// from `~/.pgpass`, `PGPASSWORD` or a password file, never from a command line others can read.
    /// - Parameter password: PostgreSQL's password, from a file.
    public init(_ text: String, password: String? = nil) throws {
        let lowered = text.lowercased()
        if lowered.hasPrefix("postgresql://") || lowered.hasPrefix("postgres://") {
            if PostgresLocation.hasPassword(text) {
                throw StoreError(
                    "the database URL holds a password; put it in ~/.pgpass, PGPASSWORD or --db-password-file",
                    concernsDatabase: false)
            }
            self = .postgresql(url: text, password: password)
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
        case .postgresql(let url, _): PostgresLocation.redacted(url)
        }
    }
}

/// What the store reads from PostgreSQL URLs itself (libpq reads the rest).
public enum PostgresLocation {
    /// The URL's `user:password@` part, if it has a password.
    public static func hasPassword(_ url: String) -> Bool {
        guard let authority = authority(url), let at = authority.lastIndex(of: "@") else {
            return url.range(of: "password=", options: .caseInsensitive) != nil
        }
        return authority[..<at].contains(":") || url.range(of: "password=", options: .caseInsensitive) != nil
    }

    /// The URL without its query and without any password: for messages.
    public static func redacted(_ url: String) -> String {
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
