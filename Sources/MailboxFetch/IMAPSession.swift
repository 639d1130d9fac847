import Foundation
import NetworkClient
import ReportIngest

/// The IMAP client (RFC 3501 / 9051) that `rua fetch` needs, over a ``MailConnection``: greeting,
/// STARTTLS, login (AUTHENTICATE PLAIN or XOAUTH2, else LOGIN), SELECT, UID SEARCH, UID FETCH
/// BODY.PEEK[] (the message spooled as it arrives, never marked seen), UID MOVE (or COPY, \Deleted and
/// UID EXPUNGE), UID STORE, CREATE, IDLE. Responses are read with their literals wherever they come;
/// untagged data the client did not ask for is passed over.
final class IMAPSession {
    let connection: MailConnection
    private(set) var capabilities: Set<String> = []
    private var tag = 0
    /// The hierarchy delimiter (`/`, `.`), read once.
    private var delimiter: String?

    var server: String { connection.server }

    /// A tagged response.
    struct Completion {
        var status: String
        var code: String
        var text: String
        var ok: Bool { status == "OK" }
    }

    init(connection: MailConnection) {
        self.connection = connection
    }

    // MARK: Responses

    /// Reads one response: its text, each literal in it sent to `literal` (which must consume exactly
    /// the given count), or kept in memory (up to 1 MiB) when `literal` is nil.
    private func readResponse(
        literal: ((_ prefix: String, _ count: Int) throws -> Void)? = nil
    ) throws -> String {
        var text = ""
        while true {
            let line = String(decoding: try connection.readLine(), as: UTF8.self)
            text += line
            guard line.hasSuffix("}"), let open = line.lastIndex(of: "{") else { return text }
            let inside = line[line.index(after: open)..<line.index(before: line.endIndex)]
            guard let count = Int(inside.hasSuffix("+") ? inside.dropLast() : inside), count >= 0 else { return text }
            if let literal {
                try literal(text, count)
            } else {
                guard count <= 1 << 20 else {
                    throw NetworkError(.protocolError, "\(server): an unexpected literal of \(count) bytes")
                }
                var bytes: [UInt8] = []
                try connection.read(count: count) { bytes += $0 }
                text += "\"" + String(decoding: bytes, as: UTF8.self).replacingOccurrences(of: "\"", with: "'") + "\""
            }
        }
    }

    /// Parses `tag STATUS [CODE …] text`.
    private static func completion(_ line: String, tag: String) -> Completion {
        var rest = line.dropFirst(tag.count + 1)
        let status = String(rest.prefix { $0 != " " }).uppercased()
        rest = rest.dropFirst(status.count).drop { $0 == " " }
        var code = ""
        if rest.first == "[", let close = rest.firstIndex(of: "]") {
            code = String(rest[rest.index(after: rest.startIndex)..<close])
            rest = rest[rest.index(after: close)...].drop { $0 == " " }
        }
        return Completion(status: status, code: code, text: String(rest))
    }

    /// Sends `command` and reads until its tagged completion, passing each untagged response (without
    /// `* `) to `untagged`; `continuation` answers a `+` (AUTHENTICATE, IDLE).
    @discardableResult
    func run(
        _ command: String, shown: String? = nil, untagged: (String) throws -> Void = { _ in },
        literal: ((_ prefix: String, _ count: Int) throws -> Void)? = nil,
        continuation: ((String) throws -> [UInt8]?)? = nil
    ) throws -> Completion {
        tag += 1
        let label = "r\(tag)"
        try connection.write(Array("\(label) \(command)\r\n".utf8))
        while true {
            let response = try readResponse(literal: literal)
            if response.hasPrefix("* ") {
                let data = String(response.dropFirst(2))
                if data.uppercased().hasPrefix("CAPABILITY ") { capabilities = Self.capabilityList(data.dropFirst(11)) }
                if data.uppercased().hasPrefix("BYE") {
                    // The tagged answer may still follow (LOGOUT); anything else ends here.
                    if !command.uppercased().hasPrefix("LOGOUT") {
                        throw NetworkError(
                            .unavailable, "\(server): the server closed the session: \(data.dropFirst(4))")
                    }
                }
                try untagged(data)
            } else if response.hasPrefix("+") {
                guard let continuation,
                    let answer = try continuation(String(response.dropFirst(1)).trimmingCharacters(in: .whitespaces))
                else {
                    throw NetworkError(.protocolError, "\(server): unexpected continuation after \(shown ?? command)")
                }
                try connection.write(answer + [13, 10])
            } else if response.hasPrefix(label + " ") {
                let done = Self.completion(response, tag: label)
                if done.code.uppercased().hasPrefix("CAPABILITY ") {
                    capabilities = Self.capabilityList(done.code.dropFirst(11))
                }
                return done
            }
            // Anything else (another tag): not ours, passed over.
        }
    }

    static func capabilityList(_ text: Substring) -> Set<String> {
        Set(text.split(separator: " ").map { $0.uppercased() })
    }

    // MARK: Session

    /// Reads the greeting and, for imap://, upgrades with STARTTLS (required unless `allowPlaintext`).
    func open(implicitTLS: Bool, caFile: String?, allowPlaintext: Bool) throws {
        if implicitTLS { try connection.startTLS(caFile: caFile) }
        let greeting = try readResponse()
        guard greeting.hasPrefix("* OK") || greeting.hasPrefix("* PREAUTH") else {
            throw NetworkError(.unavailable, "\(server): the server refused the connection: \(greeting)")
        }
        if let open = greeting.range(of: "[CAPABILITY "), let close = greeting[open.upperBound...].firstIndex(of: "]") {
            capabilities = Self.capabilityList(greeting[open.upperBound..<close])
        } else {
            try run("CAPABILITY")
        }
        if !implicitTLS {
            if capabilities.contains("STARTTLS") {
                let answer = try run("STARTTLS")
                guard answer.ok else { throw NetworkError(.unavailable, "\(server): STARTTLS refused: \(answer.text)") }
                try connection.startTLS(caFile: caFile)
                try run("CAPABILITY")
            } else if !allowPlaintext {
                throw NetworkError(
                    .unavailable,
                    "\(server): the server offers no STARTTLS, and rua does not log in over an unencrypted connection (--allow-plaintext allows it; imaps:// uses TLS from the start)"
                )
            }
        }
    }

    /// Logs in with a password (AUTHENTICATE PLAIN where offered, else LOGIN) or an OAuth 2.0 access
    /// token (XOAUTH2).
    func login(user: String, secret: Secret) throws {
        let answer: Completion
        switch secret {
        case .password(let password):
            if capabilities.contains("AUTH=PLAIN") {
                let response = Data(([0] + Array(user.utf8) + [0] + Array(password.utf8))).base64EncodedString()
                answer = try authenticate("PLAIN", response)
            } else if !capabilities.contains("LOGINDISABLED") {
                guard let quotedUser = Self.quoted(user), let quotedPassword = Self.quoted(password) else {
                    throw NetworkError(
                        .usage,
                        "\(server): the user or password holds characters LOGIN cannot send, and AUTH=PLAIN is not offered"
                    )
                }
                answer = try run("LOGIN \(quotedUser) \(quotedPassword)", shown: "LOGIN")
            } else {
                throw NetworkError(.refused, "\(server): the server allows no password login here (LOGINDISABLED)")
            }
        case .accessToken(let token):
            answer = try bearer(user: user, token: token)
        case .oauth(let client):
            var attempt = try bearer(user: user, token: try client.accessToken())
            if !attempt.ok {
                // A cached token revoked before its time: once more with a new one.
                client.invalidate()
                attempt = try bearer(user: user, token: try client.accessToken())
            }
            answer = attempt
        }
        guard answer.ok else {
            let reason = [answer.code, answer.text].filter { !$0.isEmpty }.joined(separator: " ")
            throw NetworkError(.refused, "\(server): the server refused the login for \(user): \(reason)")
        }
        if !capabilities.contains("IMAP4REV1") && !capabilities.contains("IMAP4REV2") { try run("CAPABILITY") }
        // Capabilities may change after login (Exchange adds MOVE): read them again unless the answer did.
        if !answer.code.uppercased().hasPrefix("CAPABILITY") { try run("CAPABILITY") }
    }

    /// XOAUTH2's initial response: `user=…^Aauth=Bearer …^A^A`, base64.
    static func xoauth2(user: String, token: String) -> String {
        Data("user=\(user)\u{1}auth=Bearer \(token)\u{1}\u{1}".utf8).base64EncodedString()
    }

    /// OAUTHBEARER's initial response (RFC 7628 §3.1): the user in the GS2 header (`,` and `=` escaped,
    /// RFC 5801 §4), host, port and the token.
    static func oauthBearer(user: String, token: String, host: String, port: Int) -> String {
        let escaped = user.replacingOccurrences(of: "=", with: "=3D").replacingOccurrences(of: ",", with: "=2C")
        return Data("n,a=\(escaped),\u{1}host=\(host)\u{1}port=\(port)\u{1}auth=Bearer \(token)\u{1}\u{1}".utf8)
            .base64EncodedString()
    }

    /// Which SASL mechanism carries a bearer token: `oauthbearer` or `xoauth2` when asked, else
    /// OAUTHBEARER (the standard) where the server offers it and XOAUTH2 (Microsoft's only one) otherwise.
    var bearerMechanism: String?

    private func bearer(user: String, token: String) throws -> Completion {
        let mechanism =
            bearerMechanism?.uppercased() ?? (capabilities.contains("AUTH=OAUTHBEARER") ? "OAUTHBEARER" : "XOAUTH2")
        if mechanism == "OAUTHBEARER" {
            // After an error challenge the client must send a lone ^A (RFC 7628 §3.2.3).
            return try authenticate(
                "OAUTHBEARER",
                Self.oauthBearer(user: user, token: token, host: connection.host, port: connection.port),
                errorAnswer: Array("AQ==".utf8))
        }
        return try authenticate("XOAUTH2", Self.xoauth2(user: user, token: token))
    }

    /// AUTHENTICATE with the initial response (on the command line with SASL-IR, else after the first
    /// `+`); a challenge after it is an error report, answered with `errorAnswer` so that the NO follows.
    private func authenticate(
        _ mechanism: String, _ response: String, errorAnswer: [UInt8] = []
    ) throws
        -> Completion
    {
        if capabilities.contains("SASL-IR") {
            return try run(
                "AUTHENTICATE \(mechanism) \(response)", shown: "AUTHENTICATE \(mechanism)",
                continuation: { _ in errorAnswer })
        }
        var sent = false
        return try run(
            "AUTHENTICATE \(mechanism)",
            continuation: { _ in
                defer { sent = true }
                return sent ? errorAnswer : Array(response.utf8)
            })
    }

    /// An IMAP quoted string, or nil when `text` cannot be one (CR, LF, NUL, non-ASCII).
    static func quoted(_ text: String) -> String? {
        guard text.unicodeScalars.allSatisfy({ $0.isASCII && $0.value >= 32 && $0.value != 127 }) else { return nil }
        return "\"" + text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
            + "\""
    }

    /// The server's name for `folder`, given with `/` between levels: each level in modified UTF-7,
    /// joined with the server's delimiter, quoted.
    func mailboxName(_ folder: String) throws -> String {
        if delimiter == nil {
            var found = "/"
            try run("LIST \"\" \"\"") { data in
                // * LIST (\Noselect) "." ""
                if data.uppercased().hasPrefix("LIST "), let open = data.firstIndex(of: "\"") {
                    let after = data[data.index(after: open)...]
                    if let close = after.firstIndex(of: "\"") { found = String(after[..<close]) }
                }
            }
            delimiter = found.isEmpty ? "/" : found
        }
        let levels = folder.split(separator: "/", omittingEmptySubsequences: true).map {
            ModifiedUTF7.encode(String($0))
        }
        let name = folder.uppercased() == "INBOX" ? "INBOX" : levels.joined(separator: delimiter ?? "/")
        return Self.quoted(name) ?? "\"\(name)\""
    }

    /// SELECTs `folder`; returns its UIDVALIDITY and message count.
    func select(_ folder: String) throws -> (uidValidity: UInt32, exists: Int) {
        var validity: UInt32 = 0
        var exists = 0
        let answer = try run("SELECT \(try mailboxName(folder))") { data in
            let upper = data.uppercased()
            if let range = upper.range(of: "[UIDVALIDITY ") {
                validity = UInt32(upper[range.upperBound...].prefix { $0.isNumber }) ?? 0
            } else if upper.hasSuffix(" EXISTS") {
                exists = Int(upper.prefix { $0.isNumber }) ?? 0
            }
        }
        guard answer.ok else {
            throw NetworkError(.protocolError, "\(server): cannot open the folder \(folder): \(answer.text)")
        }
        return (validity, exists)
    }

    /// UIDs matching `criteria` (`ALL`, `UNSEEN`, `UID 120:*`), ascending.
    func search(_ criteria: String) throws -> [UInt32] {
        var uids: [UInt32] = []
        let answer = try run("UID SEARCH \(criteria)") { data in
            guard data.uppercased().hasPrefix("SEARCH") else { return }
            uids += data.dropFirst(6).split(separator: " ").compactMap { UInt32($0) }
        }
        guard answer.ok else { throw NetworkError(.protocolError, "\(server): UID SEARCH failed: \(answer.text)") }
        return uids.sorted()
    }

    /// The message `uid` as it arrives, without setting \Seen (BODY.PEEK[]); nil when it is gone.
    func fetch(_ uid: UInt32, spoolDirectory: String?) throws -> SpooledInput? {
        var message: SpooledInput?
        let answer = try run(
            "UID FETCH \(uid) (BODY.PEEK[])",
            untagged: { _ in },
            literal: { prefix, count in
                guard prefix.uppercased().contains("BODY[]") else {
                    try self.connection.read(count: count) { _ in }
                    return
                }
                let spool = Spool(memoryLimit: 16 << 20, directory: spoolDirectory)
                try self.connection.read(count: count) { try spool.append($0) }
                message = try spool.finish()
            })
        guard answer.ok else {
            throw NetworkError(.protocolError, "\(server): UID FETCH \(uid) failed: \(answer.text)")
        }
        return message
    }

    /// UIDs as a compact set: `4,7:9,12`.
    static func set(_ uids: [UInt32]) -> String {
        var parts: [String] = []
        var index = 0
        let sorted = uids.sorted()
        while index < sorted.count {
            var last = index
            while last + 1 < sorted.count && sorted[last + 1] == sorted[last] + 1 { last += 1 }
            parts.append(last == index ? "\(sorted[index])" : "\(sorted[index]):\(sorted[last])")
            index = last + 1
        }
        return parts.joined(separator: ",")
    }

    /// Moves the messages to `folder` (created when missing): UID MOVE where offered, else UID COPY,
    /// \Deleted and UID EXPUNGE of exactly these UIDs (UIDPLUS); without either, they are flagged \Seen
    /// (a bare EXPUNGE would purge other clients' deleted mail too). False when they were only flagged.
    @discardableResult
    func move(_ uids: [UInt32], to folder: String) throws -> Bool {
        guard !uids.isEmpty else { return true }
        let target = try mailboxName(folder)
        let set = Self.set(uids)
        let move = capabilities.contains("MOVE")
        if !move && !capabilities.contains("UIDPLUS") {
            try flagSeen(uids)
            return false
        }
        var answer = try run(move ? "UID MOVE \(set) \(target)" : "UID COPY \(set) \(target)")
        if !answer.ok && answer.code.uppercased() == "TRYCREATE" {
            let created = try run("CREATE \(target)")
            guard created.ok else {
                throw NetworkError(.protocolError, "\(server): cannot create the folder \(folder): \(created.text)")
            }
            answer = try run(move ? "UID MOVE \(set) \(target)" : "UID COPY \(set) \(target)")
        }
        guard answer.ok else {
            throw NetworkError(.protocolError, "\(server): cannot move messages to \(folder): \(answer.text)")
        }
        if !move {
            let deleted = try run("UID STORE \(set) +FLAGS.SILENT (\\Deleted)")
            let expunged = try run("UID EXPUNGE \(set)")
            guard deleted.ok && expunged.ok else {
                throw NetworkError(.protocolError, "\(server): copied to \(folder) but not removed: \(expunged.text)")
            }
        }
        return true
    }

    func flagSeen(_ uids: [UInt32]) throws {
        guard !uids.isEmpty else { return }
        let answer = try run("UID STORE \(Self.set(uids)) +FLAGS.SILENT (\\Seen)")
        guard answer.ok else {
            throw NetworkError(.protocolError, "\(server): cannot flag messages seen: \(answer.text)")
        }
    }

    /// Waits in IDLE until the server reports new mail or `seconds` pass (or `stop` says so); true
    /// when something arrived.
    func idle(seconds: Int, stop: () -> Bool) throws -> Bool {
        tag += 1
        let label = "r\(tag)"
        try connection.write(Array("\(label) IDLE\r\n".utf8))
        let ready = try readResponse()
        guard ready.hasPrefix("+") else {
            throw NetworkError(.protocolError, "\(server): IDLE refused: \(ready)")
        }
        var arrived = false
        let deadline = Date().addingTimeInterval(Double(seconds))
        connection.setReadTimeout(seconds: 5)
        defer { connection.setReadTimeout(seconds: 60) }
        while !arrived && Date() < deadline && !stop() {
            do {
                let line = try readResponse()
                if line.uppercased().hasSuffix(" EXISTS") { arrived = true }
                if line.uppercased().hasPrefix("* BYE") {
                    throw NetworkError(.unavailable, "\(server): the server closed the session during IDLE")
                }
            } catch let error as NetworkError where error.message.hasSuffix(MailConnection.timedOut) {
                continue
            }
        }
        try connection.write(Array("DONE\r\n".utf8))
        while true {
            let line = try readResponse()
            if line.hasPrefix(label + " ") { break }
            if line.uppercased().hasSuffix(" EXISTS") { arrived = true }
        }
        return arrived
    }

    func logout() {
        _ = try? run("LOGOUT")
        connection.close()
    }
}

/// How rua logs in.
public enum Secret: Sendable {
    case password(String)
    /// An OAuth 2.0 access token, sent with XOAUTH2.
    case accessToken(String)
    /// Access tokens obtained (and renewed) from a token endpoint, sent with XOAUTH2.
    case oauth(OAuthClient)
}

/// IMAP's modified UTF-7 for mailbox names (RFC 3501 §5.1.3): printable ASCII as it is (`&` as `&-`),
/// anything else as `&` + modified base64 of UTF-16 + `-`.
enum ModifiedUTF7 {
    static func encode(_ name: String) -> String {
        var out = ""
        var pending: [UInt16] = []
        func flush() {
            guard !pending.isEmpty else { return }
            let bytes = pending.flatMap { [UInt8($0 >> 8), UInt8($0 & 0xFF)] }
            let base64 = Data(bytes).base64EncodedString().replacingOccurrences(of: "/", with: ",")
                .replacingOccurrences(of: "=", with: "")
            out += "&" + base64 + "-"
            pending = []
        }
        for scalar in name.unicodeScalars {
            if scalar.value >= 0x20 && scalar.value <= 0x7E {
                flush()
                out += scalar == "&" ? "&-" : String(scalar)
            } else {
                pending += Array(String(scalar).utf16)
            }
        }
        flush()
        return out
    }
}
