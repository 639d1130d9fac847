import Foundation
import NetworkClient

/// An MTA-STS policy file (RFC 8461 §3.2): `key: value` lines; the first of each key but `mx` wins.
public struct MTASTSPolicy: Sendable {
    public var version: String?
    public var mode: String?
    public var mx: [String] = []
    public var maxAge: Int?
    public var errors: [String] = []

    public init(_ text: String) {
        // CR LF is one Character in Swift: split on any line break.
        for raw in text.split(omittingEmptySubsequences: true, whereSeparator: \.isNewline) {
            guard let colon = raw.firstIndex(of: ":") else {
                errors.append("'\(raw)' is not a key: value line")
                continue
            }
            let key = raw[..<colon].trimmingCharacters(in: .whitespaces).lowercased()
            let value = raw[raw.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            switch key {
            case "version": if version == nil { version = value }
            case "mode": if mode == nil { mode = value }
            case "mx": mx.append(value.lowercased())
            case "max_age":
                if maxAge == nil {
                    maxAge = value.count <= 10 ? Int(value) : nil;
                    if maxAge == nil { errors.append("max_age: \(value) is not a number of seconds") }
                }
            default: break
            }
        }
        if version != "STSv1" { errors.append("version must be STSv1") }
        if !["enforce", "testing", "none"].contains(mode ?? "") {
            errors.append("mode must be enforce, testing or none")
        }
        if mode != "none" && mx.isEmpty { errors.append("no mx: lines") }
        if maxAge == nil && !errors.contains(where: { $0.hasPrefix("max_age") }) { errors.append("no max_age") }
        if let maxAge, maxAge > 31_557_600 { errors.append("max_age \(maxAge) is over a year (31557600)") }
    }

    /// Whether `host` matches a pattern: exactly, or `*.example.com` for one more label (§4.1).
    public func covers(_ host: String) -> Bool {
        let host = host.lowercased().hasSuffix(".") ? String(host.lowercased().dropLast()) : host.lowercased()
        return mx.contains { pattern in
            if pattern.hasPrefix("*.") {
                let suffix = pattern.dropFirst(1)
                guard host.hasSuffix(suffix) else { return false }
                return !host.dropLast(suffix.count).contains(".") && host.count > suffix.count
            }
            return pattern == host
        }
    }
}

/// Fetches `https://mta-sts.DOMAIN/.well-known/mta-sts.txt` as a sending MTA would: certificate verified
/// for the name, no redirects followed, 200 only, `text/plain`, 64 KB at most, a minute at most.
/// `address` connects to that address instead of the system resolver's answer (the check's DNS).
enum MTASTSFetch {
    static func fetch(domain: String, address: String?, caFile: String?) -> (policy: String?, problems: [String]) {
        let host = "mta-sts." + domain
        let url = "https://\(host)/.well-known/mta-sts.txt"
        do {
            let transfer = try CurlTransfer(url: url, server: "https://\(host)")
            if let caFile {
                transfer.set(CURLOPT_CAINFO, caFile)
                transfer.set(CURLOPT_CAPATH, "/etc/ssl/certs")
            }
            if let address {
                transfer.set(CURLOPT_RESOLVE, list: ["\(host):443:\(address.contains(":") ? "[\(address)]" : address)"])
            }
            transfer.set(CURLOPT_FOLLOWLOCATION, 0)
            transfer.set(CURLOPT_TIMEOUT, 60)
            transfer.keepAnswer(upTo: 64 * 1024)
            try transfer.perform()
            var problems: [String] = []
            let status = transfer.responseCode
            guard status == 200 else {
                return (
                    nil,
                    [
                        (300..<400).contains(status)
                            ? "\(url) redirects (\(status)): senders do not follow redirects"
                            : "\(url) answered \(status)"
                    ]
                )
            }
            if transfer.answerCut { problems.append("the policy is over 64 KB") }
            let type = transfer.contentType?.lowercased() ?? ""
            if !type.hasPrefix("text/plain") {
                problems.append("the policy is served as \(type.isEmpty ? "no content type" : type), not text/plain")
            }
            return (transfer.answer, problems)
        } catch let error as NetworkError {
            return (nil, [error.message])
        } catch {
            return (nil, ["\(error)"])
        }
    }
}
