import Foundation
import HummingbirdBcrypt
import ReportIngest

/// Who may read and who may write: accounts with bcrypt-hashed passwords (HTTP Basic, for people) and
/// bearer tokens kept as SHA-256 hashes (for collectors and monitoring). Files are read once, at start.
public struct Credentials: Sendable {
    public enum Scope: String, Sendable {
        case read, write
    }

    public struct FileError: Error, CustomStringConvertible {
        public var description: String
    }

    var accounts: [String: String] = [:]
    var tokens: [(name: String, scope: Scope, hash: [UInt8])] = []

    public var isEmpty: Bool { accounts.isEmpty && tokens.isEmpty }

    public init() {}

    /// Reads the accounts file (`NAME:BCRYPT-HASH`) and the tokens file (`NAME:SCOPE:SHA256-HEX`); `#`
    /// starts a comment line.
    public init(accountsFile: String?, tokensFile: String?) throws {
        func lines(_ path: String) throws -> [(Int, [Substring])] {
            guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
                throw FileError(description: "\(path): cannot be read")
            }
            return text.split(whereSeparator: \.isNewline).enumerated().compactMap { index, line in
                let trimmed = line.drop { $0 == " " }
                guard !trimmed.isEmpty, !trimmed.hasPrefix("#") else { return nil }
                return (index + 1, trimmed.split(separator: ":", omittingEmptySubsequences: false))
            }
        }
        if let accountsFile {
            for (number, fields) in try lines(accountsFile) {
                // A bcrypt hash holds `$`, never `:`: the name is everything before the first colon.
                guard fields.count == 2, !fields[0].isEmpty, fields[1].hasPrefix("$2") else {
                    throw FileError(
                        description:
                            "\(accountsFile):\(number): not NAME:BCRYPT-HASH (rua serve --hash-password makes one)")
                }
                accounts[String(fields[0])] = String(fields[1])
            }
        }
        if let tokensFile {
            for (number, fields) in try lines(tokensFile) {
                guard fields.count == 3, !fields[0].isEmpty, let scope = Scope(rawValue: String(fields[1])),
                    let hash = Self.bytes(hex: fields[2]), hash.count == 32
                else {
                    throw FileError(
                        description:
                            "\(tokensFile):\(number): not NAME:read|write:SHA256-HEX (rua serve --new-token NAME makes one)"
                    )
                }
                tokens.append((String(fields[0]), scope, hash))
            }
        }
    }

    /// The account a Basic `Authorization` header names, when its password matches.
    func account(basic header: String) -> String? {
        guard header.lowercased().hasPrefix("basic "),
            let data = Data(base64Encoded: String(header.dropFirst(6)).trimmingCharacters(in: .whitespaces)),
            let text = String(data: data, encoding: .utf8), let colon = text.firstIndex(of: ":")
        else { return nil }
        let name = String(text[..<colon])
        guard let hash = accounts[name], Bcrypt.verify(String(text[text.index(after: colon)...]), hash: hash) else {
            return nil
        }
        return name
    }

    /// The token a Bearer `Authorization` header carries, with its scope.
    func token(bearer header: String) -> (name: String, scope: Scope)? {
        guard header.lowercased().hasPrefix("bearer ") else { return nil }
        let presented = SHA256Hasher.digest(Array(header.dropFirst(7).trimmingCharacters(in: .whitespaces).utf8))
        // Every token compared in full, so the time taken says nothing about which one nearly matched.
        var found: (String, Scope)?
        for token in tokens where Self.equal(token.hash, presented) { found = (token.name, token.scope) }
        return found
    }

    static func equal(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        guard a.count == b.count else { return false }
        return zip(a, b).reduce(0) { $0 | ($1.0 ^ $1.1) } == 0
    }

    static func bytes(hex: Substring) -> [UInt8]? {
        guard hex.count % 2 == 0 else { return nil }
        var bytes: [UInt8] = []
        var index = hex.startIndex
        while index < hex.endIndex {
            let next = hex.index(index, offsetBy: 2)
            guard let byte = UInt8(hex[index..<next], radix: 16) else { return nil }
            bytes.append(byte)
            index = next
        }
        return bytes
    }

    /// `bytes` random bytes (the system's cryptographic generator) in hexadecimal.
    static func randomHex(bytes: Int) -> String {
        (0..<bytes).map { _ in String(format: "%02x", UInt8.random(in: 0...255)) }.joined()
    }

    /// A bcrypt hash of `password` for the accounts file.
    public static func hash(password: String) -> String { Bcrypt.hash(password, cost: 12) }

    /// A new random token and its line for the tokens file.
    public static func newToken(name: String, scope: Scope) -> (token: String, line: String) {
        let token = "rua_" + randomHex(bytes: 32)
        let hash = SHA256Hasher.digest(Array(token.utf8)).map { String(format: "%02x", $0) }.joined()
        return (token, "\(name):\(scope.rawValue):\(hash)")
    }
}
