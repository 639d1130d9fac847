import ReportModel
import SenderAttribution

/// An SPF record and everything it includes or redirects to, walked as an evaluation would walk it
/// (RFC 7208 §4.6.4, §5, §6) without a sender address: DNS-querying terms counted over the whole tree
/// (limit 10), void lookups (limit 2), loops, missing or duplicate records, `+all`/`?all`, `ptr`.
public final class SPFWalk {
    let dns: any CheckDNS
    public private(set) var lookups = 0
    public private(set) var voids = 0
    public private(set) var errors: [String] = []
    public private(set) var warnings: [String] = []
    /// The top record, as published.
    public private(set) var record: String?
    /// Every domain whose record was read, in order.
    public private(set) var visited: [String] = []
    /// Whether the top record's lookup was answered (a record, or none), not a DNS failure.
    public private(set) var answered = true
    /// Whether a term holds a macro: its result depends on the sender.
    public private(set) var dependsOnSender = false

    public init(dns: any CheckDNS) { self.dns = dns }

    /// Walks `domain`'s record.
    public func walk(_ domain: String) {
        walk(domain, path: [], top: true)
    }

    private func void(_ isVoid: Bool) {
        if isVoid { voids += 1 }
    }

    /// The SPF record at `domain`, or nil with the reason recorded.
    private func spfRecord(_ domain: String, top: Bool, via: String) -> String? {
        switch dns.txt(domain) {
        case .failure(let reason):
            errors.append("\(domain): the TXT lookup failed (\(reason)): a temporary error for receivers")
            if top { answered = false }
            return nil
        case .none(let nxdomain):
            if !top { void(true) }
            errors.append(
                top
                    ? "\(domain) publishes no SPF record" + (nxdomain ? " (the name does not exist)" : "")
                    : "\(via) names \(domain), which publishes no SPF record: a permanent error (RFC 7208 §5.2)")
            return nil
        case .records(let texts):
            let spf = texts.filter {
                let lower = $0.lowercased()
                return lower == "v=spf1" || lower.hasPrefix("v=spf1 ")
            }
            if spf.isEmpty {
                errors.append(
                    top ? "\(domain) publishes no SPF record" : "\(via) names \(domain), which publishes no SPF record")
                return nil
            }
            if spf.count > 1 {
                errors.append("\(domain) publishes \(spf.count) SPF records: a permanent error (RFC 7208 §4.5)")
                return nil
            }
            if spf[0].utf8.count > 450 {
                warnings.append(
                    "\(domain)'s SPF record is \(spf[0].utf8.count) bytes: answers over 512 bytes may be cut")
            }
            return spf[0]
        }
    }

    private func walk(_ domain: String, path: [String], top: Bool, via: String = "") {
        let name = domain.lowercased()
        if path.contains(name) {
            errors.append("a loop: \((path + [name]).joined(separator: " → "))")
            return
        }
        guard let text = spfRecord(name, top: top, via: via) else { return }
        if top { record = text }
        visited.append(name)
        var redirect: String?
        var hasAll = false
        for term in text.split(separator: " ").dropFirst().map(String.init) where !term.isEmpty {
            if term.contains("%{") { dependsOnSender = true }
            let qualifier = "+-~?".contains(term.first!) ? term.first! : "+"
            let body = "+-~?".contains(term.first!) ? String(term.dropFirst()) : term
            let lower = body.lowercased()
            let (mechanism, argument) = Self.split(lower)
            switch mechanism {
            case "all":
                hasAll = true
                if top && qualifier == "+" {
                    errors.append("\(name) ends with +all: every host may send as the domain")
                } else if top && qualifier == "?" {
                    warnings.append("\(name) ends with ?all: a neutral result protects nothing")
                }
            case "include":
                lookups += 1
                guard let target = argument, !target.isEmpty else {
                    errors.append("\(name): include without a domain")
                    continue
                }
                if !target.contains("%{") { walk(target, path: path + [name], top: false, via: "\(name)'s include") }
            case "a":
                lookups += 1
                let target = Self.target(argument, default: name)
                if !target.contains("%{"), case .none = dns.addresses(target) { void(true) }
            case "mx":
                lookups += 1
                let target = Self.target(argument, default: name)
                if target.contains("%{") { continue }
                switch dns.mx(target) {
                case .none: void(true)
                case .records(let hosts):
                    if hosts.count > 10 {
                        errors.append("\(name): mx:\(target) has \(hosts.count) MX hosts (limit 10, RFC 7208 §4.6.4)")
                    }
                case .failure: break
                }
            case "ptr":
                lookups += 1
                warnings.append("\(name) uses ptr, which RFC 7208 §5.5 says not to use (slow, and often ignored)")
            case "exists":
                lookups += 1
            case "ip4", "ip6":
                if argument == nil || argument!.isEmpty { errors.append("\(name): \(mechanism) without an address") }
            default:
                if let equals = lower.firstIndex(of: "=") {
                    let modifier = String(lower[..<equals])
                    let value = String(lower[lower.index(after: equals)...])
                    if modifier == "redirect" {
                        if redirect != nil { errors.append("\(name): redirect= twice") }
                        redirect = value
                    }
                    // exp= and unknown modifiers are ignored (RFC 7208 §6).
                } else {
                    errors.append("\(name): '\(term)' is not an SPF term: a permanent error")
                }
            }
        }
        if let redirect, !hasAll {
            lookups += 1
            if !redirect.contains("%{") { walk(redirect, path: path + [name], top: false, via: "\(name)'s redirect") }
        }
        if top {
            if lookups > 10 {
                errors.append(
                    "\(lookups) DNS-querying terms (include, a, mx, ptr, exists, redirect) in the whole tree: the limit is 10, receivers answer permerror"
                )
            }
            if voids > 2 {
                errors.append("\(voids) lookups found nothing: the limit is 2, receivers answer permerror")
            }
            if !hasAll && redirect == nil {
                warnings.append("\(name)'s record has no all term: unlisted hosts get neutral")
            }
        }
    }

    static func split(_ term: String) -> (String, String?) {
        let end = term.firstIndex { $0 == ":" || $0 == "/" || $0 == "=" } ?? term.endIndex
        let mechanism = String(term[..<end])
        guard end < term.endIndex, term[end] == ":" else { return (mechanism, nil) }
        let rest = term[term.index(after: end)...]
        return (mechanism, String(rest.prefix { $0 != "/" }))
    }

    static func target(_ argument: String?, default name: String) -> String {
        guard let argument, !argument.isEmpty else { return name }
        return argument
    }
}
