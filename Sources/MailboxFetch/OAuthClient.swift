import CTLS
import Foundation
import NetworkClient

/// How rua obtains an OAuth 2.0 access token for XOAUTH2.
public enum OAuthFlow: Sendable {
    /// Microsoft 365, app-only: the client-credentials grant with the app's secret; the token is for
    /// `scope` (`https://outlook.office365.com/.default`).
    case clientCredentials(tokenURL: String, clientID: String, clientSecret: String, scope: String)
    /// Microsoft 365, app-only, with a certificate instead of a secret: a client assertion signed with
    /// the certificate's private key.
    case clientCertificate(tokenURL: String, clientID: String, certificate: String, key: String, scope: String)
    /// Google: a refresh token (from a one-time consent) exchanged for access tokens.
    case refreshToken(tokenURL: String, clientID: String, clientSecret: String, refreshToken: String)

    public static func microsoftTokenURL(tenant: String) -> String {
        "https://login.microsoftonline.com/\(tenant)/oauth2/v2.0/token"
    }
    public static let googleTokenURL = "https://oauth2.googleapis.com/token"
    public static let microsoftIMAPScope = "https://outlook.office365.com/.default"
}

/// Access tokens from a token endpoint, over HTTPS with the certificate verified, kept until five
/// minutes before they expire: in memory, and in `cacheFile` (mode 0600) when given, so that a cron job
/// run every few minutes asks the endpoint about once an hour.
public final class OAuthClient: @unchecked Sendable {
    let flow: OAuthFlow
    let caFile: String?
    let cacheFile: String?
    private var cached: (token: String, expires: Int64)?
    /// Renew this long before the token expires.
    static let margin: Int64 = 300

    public init(flow: OAuthFlow, caFile: String?, cacheFile: String?) {
        self.flow = flow
        self.caFile = caFile
        self.cacheFile = cacheFile
    }

    var tokenURL: String {
        switch flow {
        case .clientCredentials(let url, _, _, _), .refreshToken(let url, _, _, _),
            .clientCertificate(let url, _, _, _, _):
            url
        }
    }

    /// The key a cached token belongs to: the endpoint and the client (never the secret itself).
    private var cacheKey: String {
        switch flow {
        case .clientCredentials(let url, let client, _, let scope),
            .clientCertificate(let url, let client, _, _, let scope):
            "\(url) \(client) \(scope)"
        case .refreshToken(let url, let client, _, _): "\(url) \(client)"
        }
    }

    /// A token valid for at least five more minutes.
    public func accessToken(now: Int64 = Int64(Date().timeIntervalSince1970)) throws -> String {
        if let cached, cached.expires - Self.margin > now { return cached.token }
        if let fromFile = readCache(), fromFile.expires - Self.margin > now {
            cached = fromFile
            return fromFile.token
        }
        let fresh = try request(now: now)
        cached = fresh
        writeCache(fresh)
        return fresh.token
    }

    /// Forgets the token (the server refused it: revoked before its time).
    public func invalidate() {
        cached = nil
        if let cacheFile { try? FileManager.default.removeItem(atPath: cacheFile) }
    }

    static func form(_ fields: [(String, String)]) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return fields.map { "\($0.0)=\($0.1.addingPercentEncoding(withAllowedCharacters: allowed) ?? "")" }
            .joined(separator: "&")
    }

    private func request(now: Int64) throws -> (token: String, expires: Int64) {
        let body: String
        switch flow {
        case .clientCredentials(_, let client, let secret, let scope):
            body = Self.form([
                ("grant_type", "client_credentials"), ("client_id", client), ("client_secret", secret),
                ("scope", scope),
            ])
        case .clientCertificate(let url, let client, let certificate, let key, let scope):
            let assertion = try ClientAssertion.make(
                clientID: client, audience: url, certificatePath: certificate, keyPath: key, now: now)
            body = Self.form([
                ("grant_type", "client_credentials"), ("client_id", client),
                ("client_assertion_type", "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"),
                ("client_assertion", assertion), ("scope", scope),
            ])
        case .refreshToken(_, let client, let secret, let refresh):
            body = Self.form([
                ("grant_type", "refresh_token"), ("client_id", client), ("client_secret", secret),
                ("refresh_token", refresh),
            ])
        }
        let server = NetworkError.shown(tokenURL)
        guard tokenURL.lowercased().hasPrefix("https://") else {
            throw NetworkError(.usage, "\(tokenURL): the token endpoint must be https://")
        }
        let transfer = try CurlTransfer(url: tokenURL, server: server)
        if let caFile {
            // A private CA besides the system's store (CAINFO alone would replace it).
            transfer.set(CURLOPT_CAINFO, caFile)
            transfer.set(CURLOPT_CAPATH, "/etc/ssl/certs")
        }
        transfer.set(CURLOPT_POST, 1)
        let bytes = Array(body.utf8)
        transfer.upload(bytes)
        transfer.set(CURLOPT_POSTFIELDSIZE, bytes.count)
        transfer.set(
            CURLOPT_HTTPHEADER,
            list: ["Content-Type: application/x-www-form-urlencoded", "Accept: application/json", "Expect:"])
        transfer.set(CURLOPT_TIMEOUT, 60)
        try transfer.perform()
        let status = transfer.responseCode
        let answer = (try? JSONSerialization.jsonObject(with: Data(transfer.answer.utf8))) as? [String: Any] ?? [:]
        guard (200..<300).contains(status), let token = answer["access_token"] as? String, !token.isEmpty else {
            let error = [answer["error"] as? String, answer["error_description"] as? String].compactMap { $0 }
                .joined(separator: ": ")
            let reason = error.isEmpty ? String(transfer.answer.prefix(200)) : error
            // invalid_client, invalid_grant (a revoked or expired refresh token), unauthorized_client: the
            // credentials are refused; anything else may pass.
            let refused = [400, 401, 403].contains(status) && !(answer["error"] as? String ?? "").isEmpty
            throw NetworkError(
                refused ? .refused : (status >= 500 || status == 429 ? .temporary : .unavailable),
                "\(server): the token endpoint answered \(status): \(reason)")
        }
        let lifetime =
            (answer["expires_in"] as? NSNumber)?.int64Value ?? Int64(answer["expires_in"] as? String ?? "") ?? 3600
        return (token, now + lifetime)
    }

    private func readCache() -> (token: String, expires: Int64)? {
        guard let cacheFile, let data = FileManager.default.contents(atPath: cacheFile),
            let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
            object["key"] as? String == cacheKey, let token = object["access_token"] as? String,
            let expires = (object["expires_at"] as? NSNumber)?.int64Value
        else { return nil }
        return (token, expires)
    }

    private func writeCache(_ token: (token: String, expires: Int64)) {
        guard let cacheFile else { return }
        let object: [String: Any] = ["key": cacheKey, "access_token": token.token, "expires_at": token.expires]
        guard let data = try? JSONSerialization.data(withJSONObject: object) else { return }
        let temporary = cacheFile + ".part"
        guard FileManager.default.createFile(atPath: temporary, contents: nil, attributes: [.posixPermissions: 0o600]),
            let handle = FileHandle(forWritingAtPath: temporary)
        else { return }
        handle.write(data)
        try? handle.close()
        _ = rename(temporary, cacheFile)
    }
}

/// A client assertion (RFC 7523, as Microsoft's identity platform takes it): a JWT signed RS256 with the
/// app's private key, naming its certificate by SHA-1 thumbprint (`x5t`), for the token endpoint
/// `audience`, valid for ten minutes.
enum ClientAssertion {
    static func make(
        clientID: String, audience: String, certificatePath: String, keyPath: String, now: Int64
    ) throws
        -> String
    {
        guard let certificate = PEM.certificate(certificatePath) else {
            throw NetworkError(.usage, "--client-certificate \(certificatePath): no PEM certificate in it")
        }
        defer { X509_free(certificate) }
        guard let key = PEM.privateKey(keyPath) else {
            throw NetworkError(.usage, "--client-key \(keyPath): no PEM private key in it")
        }
        defer { EVP_PKEY_free(key) }
        var der: UnsafeMutablePointer<UInt8>?
        let length = i2d_X509(certificate, &der)
        guard length > 0, let der else {
            throw NetworkError(.usage, "\(certificatePath): the certificate cannot be encoded")
        }
        defer { CRYPTO_free(der, #file, #line) }
        var thumbprint = [UInt8](repeating: 0, count: Int(SHA_DIGEST_LENGTH))
        SHA1(der, Int(length), &thumbprint)
        let header = #"{"alg":"RS256","typ":"JWT","x5t":"\#(base64URL(thumbprint))"}"#
        let claims =
            #"{"aud":"\#(audience)","iss":"\#(clientID)","sub":"\#(clientID)","jti":"\#(UUID().uuidString)","nbf":\#(now),"exp":\#(now + 600)}"#
        let signingInput = base64URL(Array(header.utf8)) + "." + base64URL(Array(claims.utf8))
        guard let signature = sign(Array(signingInput.utf8), key: key) else {
            throw NetworkError(.usage, "\(keyPath): the key cannot sign (an RSA key is needed)")
        }
        return signingInput + "." + base64URL(signature)
    }

    static func base64URL(_ bytes: [UInt8]) -> String {
        Data(bytes).base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(
            of: "/", with: "_"
        )
        .replacingOccurrences(of: "=", with: "")
    }

    static func sign(_ message: [UInt8], key: OpaquePointer) -> [UInt8]? {
        guard let context = EVP_MD_CTX_new() else { return nil }
        defer { EVP_MD_CTX_free(context) }
        guard EVP_DigestSignInit(context, nil, EVP_sha256(), nil, key) == 1,
            EVP_DigestSignUpdate(context, message, message.count) == 1
        else { return nil }
        var length = 0
        guard EVP_DigestSignFinal(context, nil, &length) == 1 else { return nil }
        var signature = [UInt8](repeating: 0, count: length)
        guard EVP_DigestSignFinal(context, &signature, &length) == 1 else { return nil }
        return Array(signature.prefix(length))
    }
}

/// PEM files read with OpenSSL.
enum PEM {
    static func certificate(_ path: String) -> OpaquePointer? {
        guard let file = fopen(path, "r") else { return nil }
        defer { fclose(file) }
        return PEM_read_X509(file, nil, nil, nil)
    }

    static func privateKey(_ path: String) -> OpaquePointer? {
        guard let file = fopen(path, "r") else { return nil }
        defer { fclose(file) }
        return PEM_read_PrivateKey(file, nil, nil, nil)
    }
}
