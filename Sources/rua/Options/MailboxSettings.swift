import ArgumentParser
import Foundation
import MailboxFetch
import NetworkClient

/// One mailbox `rua fetch` reads and how: from the command line, or a section of a `--config` file.
struct MailboxSettings {
    var name: String
    var url: String
    var passwordFile: String?
    var tokenFile: String?
    var oauth: OAuthProvider?
    var tenant: String?
    var clientID: String?
    var clientSecretFile: String?
    var clientCertificate: String?
    var clientKey: String?
    var refreshTokenFile: String?
    var tokenURL: String?
    var tokenCache: String?
    var saslMechanism: SASLMechanism?
    var caFile: String?
    var allowPlaintext = false
    var after = "move:Archive/Rua"
    var otherFolder = "Archive/Rua/Other"
    /// Whether RUA_IMAP_PASSWORD and the like may stand in for files (the command line's one mailbox).
    var environmentSecrets = true

    var afterAction: AfterFetch? {
        switch after.lowercased() {
        case "seen": return .seen
        case "leave": return .leave
        default:
            guard after.lowercased().hasPrefix("move:"), after.count > 5 else { return nil }
            return .move(String(after.dropFirst(5)))
        }
    }

    /// What cannot work, said before anything is fetched.
    func problems() -> [String] {
        var problems: [String] = []
        if afterAction == nil { problems.append("after '\(after)': use move:FOLDER, seen or leave") }
        if [passwordFile != nil, tokenFile != nil, oauth != nil].filter({ $0 }).count > 1 {
            problems.append("give one of a password file, a token file and oauth")
        }
        if oauth == nil
            && (tenant != nil || clientID != nil || clientSecretFile != nil || refreshTokenFile != nil
                || clientCertificate != nil)
        {
            problems.append("tenant, client id, client secret and refresh token need oauth")
        }
        if let oauth {
            if clientID == nil { problems.append("oauth \(oauth.rawValue) needs a client id") }
            if oauth == .google && clientCertificate != nil {
                problems.append("a client certificate is for oauth microsoft")
            }
            if oauth == .microsoft && tenant == nil && tokenURL == nil {
                problems.append("oauth microsoft needs a tenant (or a token URL)")
            }
        }
        do { _ = try MailboxAccount(url: url) } catch let error as NetworkError {
            problems.append(error.message)
        } catch { problems.append("\(error)") }
        return problems
    }

    /// The password or token: from the files named, else (for the command line's mailbox) the environment.
    func secret() throws -> Secret {
        let environment = environmentSecrets ? ProcessInfo.processInfo.environment : [:]
        func fromEnvironment(_ name: String) -> String? { environment[name].flatMap { $0.isEmpty ? nil : $0 } }
        if oauth == .microsoft, let clientID, let clientCertificate {
            return .oauth(
                OAuthClient(
                    flow: .clientCertificate(
                        tokenURL: tokenURL ?? OAuthFlow.microsoftTokenURL(tenant: tenant ?? ""), clientID: clientID,
                        certificate: clientCertificate, key: clientKey ?? clientCertificate,
                        scope: OAuthFlow.microsoftIMAPScope), caFile: caFile, cacheFile: tokenCache))
        }
        if let oauth, let clientID {
            guard
                let secret = try clientSecretFile.map({ try SecretFile.firstLine($0, "client secret file") })
                    ?? fromEnvironment("RUA_OAUTH_CLIENT_SECRET")
            else {
                throw ValidationError(
                    "\(name): give the client secret with --client-secret-file or RUA_OAUTH_CLIENT_SECRET")
            }
            let flow: OAuthFlow
            switch oauth {
            case .microsoft:
                flow = .clientCredentials(
                    tokenURL: tokenURL ?? OAuthFlow.microsoftTokenURL(tenant: tenant ?? ""), clientID: clientID,
                    clientSecret: secret, scope: OAuthFlow.microsoftIMAPScope)
            case .google:
                guard
                    let refresh = try refreshTokenFile.map({ try SecretFile.firstLine($0, "refresh token file") })
                        ?? fromEnvironment("RUA_OAUTH_REFRESH_TOKEN")
                else {
                    throw ValidationError(
                        "\(name): give the refresh token with --refresh-token-file or RUA_OAUTH_REFRESH_TOKEN")
                }
                flow = .refreshToken(
                    tokenURL: tokenURL ?? OAuthFlow.googleTokenURL, clientID: clientID, clientSecret: secret,
                    refreshToken: refresh)
            }
            return .oauth(OAuthClient(flow: flow, caFile: caFile, cacheFile: tokenCache))
        }
        if let tokenFile { return .accessToken(try SecretFile.firstLine(tokenFile, "token file")) }
        if let passwordFile { return .password(try SecretFile.firstLine(passwordFile, "password file")) }
        if let token = fromEnvironment("RUA_IMAP_TOKEN") { return .accessToken(token) }
        if let password = fromEnvironment("RUA_IMAP_PASSWORD") { return .password(password) }
        throw ValidationError(
            "\(name): no password: give --password-file or RUA_IMAP_PASSWORD (or a token: --token-file, RUA_IMAP_TOKEN, or --oauth)"
        )
    }

    func options(limit: Int?) -> FetchOptions {
        var options = FetchOptions()
        options.after = afterAction ?? .move("Archive/Rua")
        options.otherFolder = otherFolder
        options.caFile = caFile
        options.allowPlaintext = allowPlaintext
        options.limit = limit
        options.bearerMechanism = saslMechanism?.rawValue
        return options
    }

    /// The mailboxes of a configuration file: INI sections `[mailbox NAME]`, each with `url` and the
    /// settings the command line has (`password-file`, `after`, `other-folder`, `ca-file`, `oauth`,
    /// `tenant`, `client-id`, `client-secret-file`, `refresh-token-file`, `token-url`, `token-cache`,
    /// `sasl-mechanism`, `allow-plaintext`); `#` and `;` begin comments. Every problem is named with its line.
    static func load(_ path: String) throws -> [MailboxSettings] {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ValidationError("--config \(path): cannot be read")
        }
        var mailboxes: [MailboxSettings] = []
        var problems: [String] = []
        for (number, raw) in String(decoding: data, as: UTF8.self).split(
            separator: "\n", omittingEmptySubsequences: false
        )
        .enumerated() {
            let line = raw.trimmingCharacters(in: .whitespaces)
            let at = "\(path):\(number + 1)"
            if line.isEmpty || line.hasPrefix("#") || line.hasPrefix(";") { continue }
            if line.hasPrefix("[") {
                guard line.hasSuffix("]"), line.dropFirst().hasPrefix("mailbox ") else {
                    problems.append("\(at): sections are [mailbox NAME]")
                    continue
                }
                let name = line.dropFirst(9).dropLast().trimmingCharacters(in: .whitespaces)
                mailboxes.append(MailboxSettings(name: name.isEmpty ? "mailbox \(mailboxes.count + 1)" : name, url: ""))
                mailboxes[mailboxes.count - 1].environmentSecrets = false
                continue
            }
            guard let equals = line.firstIndex(of: "="), !mailboxes.isEmpty else {
                problems.append("\(at): expected key = value inside a [mailbox NAME] section")
                continue
            }
            let key = line[..<equals].trimmingCharacters(in: .whitespaces).lowercased()
            let value = line[line.index(after: equals)...].trimmingCharacters(in: .whitespaces)
            var mailbox = mailboxes.removeLast()
            switch key {
            case "url": mailbox.url = value
            case "password-file": mailbox.passwordFile = value
            case "token-file": mailbox.tokenFile = value
            case "oauth":
                if let provider = OAuthProvider(rawValue: value.lowercased()) {
                    mailbox.oauth = provider
                } else {
                    problems.append("\(at): oauth is microsoft or google")
                }
            case "tenant": mailbox.tenant = value
            case "client-id": mailbox.clientID = value
            case "client-secret-file": mailbox.clientSecretFile = value
            case "client-certificate": mailbox.clientCertificate = value
            case "client-key": mailbox.clientKey = value
            case "refresh-token-file": mailbox.refreshTokenFile = value
            case "token-url": mailbox.tokenURL = value
            case "token-cache": mailbox.tokenCache = value
            case "sasl-mechanism":
                if let mechanism = SASLMechanism(rawValue: value.lowercased()) {
                    mailbox.saslMechanism = mechanism
                } else {
                    problems.append("\(at): sasl-mechanism is xoauth2 or oauthbearer")
                }
            case "ca-file": mailbox.caFile = value
            case "after": mailbox.after = value
            case "other-folder": mailbox.otherFolder = value
            case "allow-plaintext": mailbox.allowPlaintext = ["yes", "true", "1"].contains(value.lowercased())
            case "password", "client-secret", "refresh-token":
                problems.append("\(at): no secrets in the configuration file itself: use \(key)-file")
            default: problems.append("\(at): unknown key '\(key)'")
            }
            mailboxes.append(mailbox)
        }
        if mailboxes.isEmpty { problems.append("\(path): no [mailbox NAME] section") }
        for mailbox in mailboxes {
            problems += mailbox.problems().map { "\(path): [mailbox \(mailbox.name)]: \($0)" }
        }
        guard problems.isEmpty else { throw ValidationError(problems.joined(separator: "\n")) }
        return mailboxes
    }
}

enum OAuthProvider: String, ExpressibleByArgument, CaseIterable {
    case microsoft, google
}

/// How a bearer token is sent: Microsoft 365 takes XOAUTH2 only; Gmail and Dovecot take both.
enum SASLMechanism: String, ExpressibleByArgument, CaseIterable {
    case xoauth2, oauthbearer
}
