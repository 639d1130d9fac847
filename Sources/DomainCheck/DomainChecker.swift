import DomainAlignment
import Foundation
import ReportModel
import SenderAttribution

/// A domain's mail DNS checked: the DMARC record (its own, else its organizational domain's) and the
/// authorisation of external report destinations, the SPF tree, MX hosts and their reverse DNS, and the
/// TLS-RPT record. Each check one ``Check``.
public final class DomainChecker {
    let dns: any CheckDNS
    /// Whether MX addresses' PTRs are looked up.
    let checkPTR: Bool
    /// A private CA for the MTA-STS policy's certificate (besides the system's store).
    let caFile: String?
    /// Fetch the MTA-STS policy from the address this DNS gives (a test zone, split horizon); else the
    /// system resolver's.
    let policyAddressFromCheckDNS: Bool

    public init(
        dns: any CheckDNS, checkPTR: Bool = true, caFile: String? = nil, policyAddressFromCheckDNS: Bool = false
    ) {
        self.dns = dns
        self.checkPTR = checkPTR
        self.caFile = caFile
        self.policyAddressFromCheckDNS = policyAddressFromCheckDNS
    }

    /// A DKIM selector to check: seen in the reports (with when), or given (`--selector`).
    public struct Selector: Sendable {
        public var domain: String
        public var selector: String
        public var lastSeen: Int64?

        public init(domain: String, selector: String, lastSeen: Int64?) {
            self.domain = domain
            self.selector = selector
            self.lastSeen = lastSeen
        }
    }

    /// Selectors not seen for this long are candidates to retire; a missing key seen more recently fails.
    public static let selectorIdle: Int64 = 30 * 86_400

    /// - Parameter unlistedSenders: sources the reports show passing DKIM but not SPF for the domain.
    public func check(
        _ domain: String, selectors: [Selector] = [], now: Int64 = 0,
        unlistedSenders: [(source: String, messages: Int64)] = [], tls: TLSEvidence? = nil
    ) -> [Check] {
        let name = domain.lowercased()
        let sts = mtaSTS(name)
        let reporting = tlsrpt(name)
        var checks = dmarc(name) + spf(name) + spfSenders(name, unlistedSenders)
        checks += dkim(name, selectors: selectors, now: now) + mx(name) + sts
        if let tls { checks += stsReports(name, tls, sts) }
        checks += reporting
        if let tls, reporting.first?.status == .pass { checks += tlsReports(name, tls, now: now) }
        return checks
    }

    // MARK: TLS reports

    /// TLS result types that say senders could not fetch or use the MTA-STS policy.
    static let policyResults = ["sts-policy-fetch-error", "sts-policy-invalid", "sts-webpki-invalid"]
    /// Result types that say the MX's TLS failed the validation the policy asks for.
    static let validationResults = [
        "validation-failure", "certificate-host-mismatch", "certificate-expired", "certificate-not-trusted",
        "starttls-not-supported",
    ]

    /// What senders' TLS reports say about the MTA-STS policy, tied to the policy checks' findings.
    func stsReports(_ name: String, _ tls: TLSEvidence, _ sts: [Check]) -> [Check] {
        let sessions = tls.successfulSessions + tls.failedSessions
        guard sessions > 0, sts.first?.status == .pass else { return [] }
        func listed(_ types: [String]) -> [(String, Int64)] {
            types.map { ($0, tls.sessions($0)) }.filter { $0.1 > 0 }
        }
        let policy = listed(Self.policyResults)
        let validation = listed(Self.validationResults)
        let evidence = (policy + validation).map { ($0.0, String($0.1)) } + [("sessions", String(sessions))]
        func text(_ list: [(String, Int64)]) -> String {
            list.map { "\($0.1) session\($0.1 == 1 ? "" : "s") \($0.0)" }.joined(separator: ", ")
        }
        var checks: [Check] = []
        let policyFailed = sts.contains { $0.id == "mta-sts.policy" && $0.status == .failure }
        if !policy.isEmpty {
            checks.append(
                Check(
                    id: "mta-sts.reports", domain: name, status: policyFailed ? .failure : .warning,
                    message: "the TLS reports of the last 30 days show \(text(policy))"
                        + (policyFailed
                            ? ": senders fail to get the policy for the reason above"
                            : ": the policy fetches now, so the failure was intermittent or seen only by some senders (IPv6, another resolver)"),
                    fix:
                        "serve the policy reliably at https://mta-sts.\(name)/.well-known/mta-sts.txt (certificate, address, uptime)",
                    evidence: evidence))
        }
        if !validation.isEmpty {
            let enforced = sts.contains {
                $0.id == "mta-sts.policy" && $0.evidence.contains { $0 == ("mode", "enforce") }
            }
            checks.append(
                Check(
                    id: "mta-sts.reports", domain: name, status: enforced ? .failure : .warning,
                    message: "the TLS reports of the last 30 days show \(text(validation))"
                        + (enforced ? ": under mode: enforce those senders did not deliver" : ""),
                    fix: "give each MX host a certificate for its name from a public CA, and STARTTLS",
                    evidence: evidence))
        }
        if checks.isEmpty {
            let unfound = tls.policyTypes["no-policy-found", default: 0]
            checks.append(
                unfound > 0 && tls.policyTypes["sts", default: 0] == 0
                    ? Check(
                        id: "mta-sts.reports", domain: name, status: .warning,
                        message:
                            "the TLS reports of the last 30 days show \(unfound) sessions with no policy found: senders have not seen the MTA-STS policy",
                        fix: "check that the record and the policy are reachable from outside", evidence: evidence)
                    : Check(
                        id: "mta-sts.reports", domain: name, status: .pass,
                        message:
                            "the TLS reports of the last 30 days show no policy or certificate failure in \(sessions) sessions",
                        evidence: evidence))
        }
        return checks
    }

    /// Whether TLS reports arrive for a domain that asks for them, and what the last days' show.
    func tlsReports(_ name: String, _ tls: TLSEvidence, now: Int64) -> [Check] {
        guard let last = tls.lastReport else {
            return [
                Check(
                    id: "tlsrpt.reports", domain: name, status: .warning,
                    message:
                        "no TLS report stored for \(name): the reports the record asks for do not reach this database",
                    fix: "import the rua= mailbox (rua fetch), or check the address in the record")
            ]
        }
        let days = max(0, (now - last) / 86_400)
        let sessions = tls.successfulSessions + tls.failedSessions
        var evidence = [
            ("last_report", Self.day(last)), ("sessions", String(sessions)), ("failed", String(tls.failedSessions)),
        ]
        for failure in tls.failures.prefix(5) { evidence.append((failure.resultType, String(failure.sessions))) }
        if days > 14 {
            return [
                Check(
                    id: "tlsrpt.reports", domain: name, status: .warning,
                    message: "the last TLS report ended \(Self.day(last)), \(days) days ago",
                    fix: "check the rua= address and the import from it", evidence: evidence)
            ]
        }
        let share =
            sessions > 0 ? " (\(String((Double(tls.failedSessions) * 1000 / Double(sessions)).rounded() / 10))%)" : ""
        return [
            Check(
                id: "tlsrpt.reports", domain: name, status: .pass,
                message:
                    "the last TLS report ended \(Self.day(last)); in the last 30 days \(sessions) sessions, \(tls.failedSessions) failed\(share)",
                evidence: evidence)
        ]
    }

    /// Sources that DKIM vouches for but SPF does not: senders the record may be missing, or forwarders.
    func spfSenders(_ name: String, _ senders: [(source: String, messages: Int64)]) -> [Check] {
        guard !senders.isEmpty else { return [] }
        let list = senders.map { "\($0.source) (\($0.messages))" }.joined(separator: ", ")
        return [
            Check(
                id: "spf.senders", domain: name, status: .warning,
                message: "passing DKIM but not SPF in the last 30 days' reports, not in SPF: \(list)",
                fix:
                    "if these hosts send for \(name), add them to the SPF record (their provider's include:); forwarders cannot be added and need DKIM",
                evidence: senders.map { ($0.source, String($0.messages)) })
        ]
    }

    // MARK: DKIM

    func dkim(_ name: String, selectors: [Selector], now: Int64) -> [Check] {
        guard !selectors.isEmpty else {
            return [
                Check(
                    id: "dkim.selectors", domain: name, status: .warning,
                    message: "no DKIM selector seen in the stored reports for \(name)",
                    fix: "give the selectors your senders use with --selector, or check that they sign at all")
            ]
        }
        return selectors.map { selector in
            let at = "\(selector.selector)._domainkey.\(selector.domain)"
            let recent = selector.lastSeen.map { now - $0 < Self.selectorIdle } ?? true
            let seen = selector.lastSeen.map { " (last seen in a report ending \(Self.day($0)))" } ?? ""
            var evidence = [("selector", at)]
            let answer = dns.txt(at)
            var history: [(kind: String, value: String)] {
                switch answer {
                case .failure: []
                case .none: [("dkim \(selector.selector)", "")]
                case .records(let texts):
                    [("dkim \(selector.selector)", texts.first { $0.contains("p=") } ?? texts.joined(separator: "\n"))]
                }
            }
            func result(_ status: Check.Status, _ message: String, _ fix: String? = nil) -> Check {
                Check(
                    id: "dkim.key", domain: name, status: status, message: "\(at): " + message, fix: fix,
                    evidence: evidence, records: history)
            }
            switch answer {
            case .failure(let reason):
                return result(.warning, "the lookup failed (\(reason))")
            case .none:
                return recent
                    ? result(
                        .failure, "no key record, but the reports show the selector in use\(seen): its signatures fail",
                        "publish the key, or stop signing with this selector")
                    : result(.warning, "no key record\(seen)", "remove the selector from the signers' configuration")
            case .records(let texts):
                guard let text = texts.first(where: { $0.contains("p=") }) else {
                    return result(.failure, "no record with p= (a key)", "publish the key as v=DKIM1; k=rsa; p=…")
                }
                evidence.append(("record", text.count > 120 ? String(text.prefix(117)) + "…" : text))
                let key = DKIMKey(text)
                if key.revoked {
                    return recent
                        ? result(
                            .failure, "revoked (p= empty) but the reports show it in use\(seen)",
                            "move the signers to a current key")
                        : result(.pass, "revoked (p= empty)\(seen)")
                }
                if key.keyType == "rsa" {
                    guard let bits = key.bits else {
                        return result(.failure, "p= is not a readable RSA key", "publish the key again")
                    }
                    evidence.append(("bits", String(bits)))
                    if bits < 1024 {
                        return result(
                            .failure, "an RSA key of \(bits) bits: receivers ignore keys under 1024 (RFC 8301)",
                            "rotate to a 2048-bit key")
                    }
                    if bits < 2048 { return result(.warning, "an RSA key of \(bits) bits", "rotate to a 2048-bit key") }
                }
                if key.testing { return result(.warning, "t=y: receivers treat its signatures as a test", "drop t=y") }
                if !recent {
                    return result(.warning, "not seen in the reports for 30 days\(seen): a candidate to retire")
                }
                return result(
                    .pass, key.keyType == "rsa" ? "an RSA key of \(key.bits ?? 0) bits" : "a \(key.keyType) key")
            }
        }
    }

    public static func day(_ epoch: Int64) -> String {
        var time = time_t(epoch)
        var parts = tm()
        gmtime_r(&time, &parts)
        func two(_ value: Int32) -> String { value < 10 ? "0\(value)" : "\(value)" }
        return "\(parts.tm_year + 1900)-\(two(parts.tm_mon + 1))-\(two(parts.tm_mday))"
    }

    // MARK: DMARC

    func dmarcRecords(_ name: String) -> ReverseResolver.Answer<[String]> {
        switch dns.txt("_dmarc." + name) {
        case .records(let texts):
            let records = texts.filter(DMARCRecord.isDMARC)
            return records.isEmpty ? .none(nxdomain: false) : .records(records)
        case let other: return other
        }
    }

    /// The names RFC 9989 §4.10's DNS tree walk queries for `name`, longest first: the name itself,
    /// then (a name of 8 labels or more cut to its last 7) one label less at a time; 8 at most.
    public static func treeWalk(_ name: String) -> [String] {
        var labels = name.split(separator: ".").map(String.init)
        var names = [name]
        labels = labels.count >= 8 ? Array(labels.suffix(7)) : Array(labels.dropFirst())
        while !labels.isEmpty {
            names.append(labels.joined(separator: "."))
            labels.removeFirst()
        }
        return names
    }

    /// A DMARC record found on the walk.
    struct Found {
        var name: String
        var text: String
        var psd: String? { DMARCRecord(text).value("psd")?.lowercased() }
    }

    /// RFC 9989 §4.10.2: over the records found, longest name first, `psd=n` names the organizational
    /// domain, `psd=y` (not on the name itself) the name one label below it; otherwise the shortest name
    /// with a record; none: the name itself.
    static func organizationalDomain(of name: String, found: [Found]) -> String {
        for record in found {
            if record.psd == "n" { return record.name }
            if record.psd == "y" && record.name != name {
                let labels = record.name.split(separator: ".").count + 1
                return name.split(separator: ".").suffix(labels).joined(separator: ".")
            }
        }
        return found.last?.name ?? name
    }

    func dmarc(_ name: String) -> [Check] {
        var checks: [Check] = []
        var found: [Found] = []
        switch dmarcRecords(name) {
        case .failure(let reason):
            return [
                Check(
                    id: "dmarc.record", domain: name, status: .warning,
                    message: "the DMARC lookup at _dmarc.\(name) failed (\(reason)): receivers treat this as temporary",
                    fix: "check the domain's name servers")
            ]
        case .records(let records) where records.count > 1:
            return [
                Check(
                    id: "dmarc.record", domain: name, status: .failure,
                    message:
                        "\(records.count) DMARC records at _dmarc.\(name): receivers discard them all (RFC 9989 §4.10)",
                    fix: "keep exactly one TXT record beginning v=DMARC1",
                    evidence: records.enumerated().map { ("record \($0.offset + 1)", $0.element) },
                    records: [("dmarc", records.sorted().joined(separator: "\n"))])
            ]
        case .records(let records):
            found.append(Found(name: name, text: records[0]))
        case .none:
            break
        }
        // The walk up the tree, stopping at a record that says where the organization begins.
        if found.first?.psd != "y" && found.first?.psd != "n" {
            for candidate in Self.treeWalk(name).dropFirst() {
                guard case .records(let records) = dmarcRecords(candidate), records.count == 1 else { continue }
                let record = Found(name: candidate, text: records[0])
                found.append(record)
                if record.psd == "y" || record.psd == "n" { break }
            }
        }
        let organizational = Self.organizationalDomain(of: name, found: found)
        let listed = OrganizationalDomains.shared.organizationalDomain(of: name) ?? name
        // RFC 9989 §4.10.1: the domain's own record, else its organizational domain's, else the PSD's.
        let applying =
            found.first { $0.name == name } ?? found.first { $0.name == organizational }
            ?? found.first { $0.psd == "y" }
        guard let applying else {
            return [
                Check(
                    id: "dmarc.record", domain: name, status: .failure,
                    message: "no DMARC record at _dmarc.\(name)"
                        + (organizational != name ? " or at _dmarc.\(organizational)" : ""),
                    fix:
                        "publish _dmarc.\(name) TXT \"v=DMARC1; p=none; rua=mailto:dmarc-reports@\(name)\" and read the reports",
                    evidence: [("organizational_domain", organizational), ("psl_organizational_domain", listed)],
                    records: [("dmarc", "")])
            ]
        }
        let text = applying.text
        let owner = applying.name
        let record = DMARCRecord(text)
        var evidence = [("record", text), ("at", "_dmarc." + owner), ("organizational_domain", organizational)]
        if listed != organizational {
            evidence.append(("psl_organizational_domain", listed))
            evidence.append(
                ("note_psl", "the DNS tree walk finds \(organizational), the public suffix list \(listed)"))
        }
        if owner != name {
            evidence.append(
                (
                    "note",
                    owner == organizational
                        ? "the organizational domain's record applies" : "the public suffix domain's record applies"
                ))
        }
        if !record.errors.isEmpty {
            checks.append(
                Check(
                    id: "dmarc.record", domain: name, status: .failure, message: record.errors.joined(separator: "; "),
                    fix: "correct the record at _dmarc.\(owner)", evidence: evidence))
        } else if !record.warnings.isEmpty {
            checks.append(
                Check(
                    id: "dmarc.record", domain: name, status: .warning,
                    message: record.warnings.joined(separator: "; "),
                    fix: "clean the record at _dmarc.\(owner)", evidence: evidence))
        } else {
            checks.append(
                Check(
                    id: "dmarc.record", domain: name, status: .pass,
                    message: owner == name
                        ? "one valid DMARC record" : "no record of its own; \(owner)'s applies (RFC 9989 tree walk)",
                    evidence: evidence))
        }
        let policy = record.value("p")?.lowercased() ?? "none"
        let testing = record.value("t")?.lowercased() == "y"
        if policy == "none" {
            checks.append(
                Check(
                    id: "dmarc.policy", domain: name, status: .warning,
                    message: "p=none: receivers only report; nothing failing DMARC is stopped",
                    fix:
                        "when the reports show your senders aligned, move to p=quarantine (rua digest says when it is safe)",
                    evidence: [("p", policy)]))
        } else {
            checks.append(
                Check(
                    id: "dmarc.policy", domain: name, status: testing ? .warning : .pass,
                    message: testing
                        ? "p=\(policy) with t=y: receivers apply the policy one step lower" : "p=\(policy)",
                    fix: testing ? "drop t=y once the reports show no legitimate mail failing" : nil,
                    evidence: [("p", policy)]))
        }
        if record.reportURIs("rua").isEmpty {
            checks.append(
                Check(
                    id: "dmarc.rua", domain: name, status: .warning, message: "no rua=: nobody sends aggregate reports",
                    fix: "add rua=mailto:ADDRESS to the record"))
        }
        checks += externalDestinations(record, domain: owner)
        checks[0].records = [("dmarc", owner == name ? text : "(\(owner)) " + text)]
        return checks
    }

    /// Report destinations outside the domain must authorise it (RFC 9990 §4): a TXT record
    /// `DOMAIN._report._dmarc.HOST` (or `*._report._dmarc.HOST`) beginning v=DMARC1.
    func externalDestinations(_ record: DMARCRecord, domain: String) -> [Check] {
        var checks: [Check] = []
        let own = (OrganizationalDomains.shared.organizationalDomain(of: domain) ?? domain)
        for tag in ["rua", "ruf"] {
            for uri in record.reportURIs(tag) {
                guard let host = DMARCRecord.host(of: uri),
                    (OrganizationalDomains.shared.organizationalDomain(of: host) ?? host) != own
                else { continue }
                let names = ["\(domain)._report._dmarc.\(host)", "*._report._dmarc.\(host)"]
                let authorised = names.contains { name in
                    if case .records(let texts) = dns.txt(name) { return texts.contains(where: DMARCRecord.isDMARC) }
                    return false
                }
                checks.append(
                    Check(
                        id: "dmarc.\(tag).authorised", domain: domain, status: authorised ? .pass : .failure,
                        message: authorised
                            ? "\(host) accepts \(tag) reports for \(domain)"
                            : "\(host) has not authorised \(domain)'s \(tag) reports: receivers send none there",
                        fix: authorised ? nil : "publish \(names[0]) TXT \"v=DMARC1\" (in \(host)'s zone)",
                        evidence: [("uri", uri), ("authorisation", names[0])]))
            }
        }
        return checks
    }

    // MARK: SPF

    func spf(_ name: String) -> [Check] {
        var checks = spfRecord(name)
        if case .records = dns.count(name, type: 99) {
            checks.append(
                Check(
                    id: "spf.rrtype", domain: name, status: .warning,
                    message:
                        "\(name) also publishes a record of the discontinued SPF type (99): receivers read only TXT (RFC 7208 §3.1), so the two can drift apart",
                    fix: "keep the policy in the TXT record and remove the type-99 record"))
        }
        return checks
    }

    func spfRecord(_ name: String) -> [Check] {
        let walk = SPFWalk(dns: dns)
        var checks = spfRecord(name, walk)
        if walk.answered { checks[0].records = [("spf", walk.record ?? "")] }
        return checks
    }

    func spfRecord(_ name: String, _ walk: SPFWalk) -> [Check] {
        walk.walk(name)
        var evidence: [(String, String)] = []
        if let record = walk.record { evidence.append(("record", record)) }
        evidence.append(("dns_lookups", String(walk.lookups)))
        evidence.append(("void_lookups", String(walk.voids)))
        if walk.visited.count > 1 { evidence.append(("tree", walk.visited.joined(separator: " "))) }
        if walk.record == nil {
            return [
                Check(
                    id: "spf.record", domain: name, status: .failure, message: walk.errors.first ?? "no SPF record",
                    fix: "publish \(name) TXT \"v=spf1 mx -all\" listing the hosts that send as \(name)",
                    evidence: evidence)
            ]
        }
        if !walk.errors.isEmpty {
            return [
                Check(
                    id: "spf.record", domain: name, status: .failure, message: walk.errors.joined(separator: "; "),
                    fix: walk.lookups > 10
                        ? "flatten includes or drop unused ones to stay within 10 lookups" : "correct the SPF record",
                    evidence: evidence)
            ]
        }
        var message = "one SPF record, \(walk.lookups) of 10 DNS lookups"
        if walk.dependsOnSender { message += " (macros: part depends on the sender)" }
        if !walk.warnings.isEmpty {
            return [
                Check(
                    id: "spf.record", domain: name, status: .warning,
                    message: message + "; " + walk.warnings.joined(separator: "; "), fix: "tighten the SPF record",
                    evidence: evidence)
            ]
        }
        return [Check(id: "spf.record", domain: name, status: .pass, message: message, evidence: evidence)]
    }

    // MARK: MX and PTR

    func mx(_ name: String) -> [Check] {
        switch dns.mx(name) {
        case .failure(let reason):
            return [Check(id: "mx.hosts", domain: name, status: .warning, message: "the MX lookup failed (\(reason))")]
        case .none:
            return [
                Check(
                    id: "mx.hosts", domain: name, status: .warning,
                    message: "no MX record: mail to \(name) goes to its address record, if any",
                    fix: "publish MX records, or a null MX (\"0 .\") if the domain receives no mail",
                    records: [("mx", "")])
            ]
        case .records(let hosts):
            if hosts.count == 1 && (hosts[0].host == "" || hosts[0].host == ".") {
                return [
                    Check(
                        id: "mx.hosts", domain: name, status: .pass, message: "a null MX: the domain receives no mail",
                        records: [("mx", "0 .")])
                ]
            }
            var checks: [Check] = []
            var unresolved: [String] = []
            var addresses: [String: String] = [:]
            for host in hosts {
                switch dns.addresses(host.host) {
                case .records(let found): for address in found { addresses[address] = host.host }
                default: unresolved.append(host.host)
                }
            }
            let list = hosts.map { "\($0.preference) \($0.host)" }.joined(separator: ", ")
            checks.append(
                Check(
                    id: "mx.hosts", domain: name, status: unresolved.isEmpty ? .pass : .failure,
                    message: unresolved.isEmpty
                        ? "\(hosts.count) MX host\(hosts.count == 1 ? "" : "s"), all resolving"
                        : "MX hosts without an address: \(unresolved.joined(separator: ", "))",
                    fix: unresolved.isEmpty ? nil : "give each MX host an A or AAAA record, or remove it",
                    evidence: [("mx", list)], records: [("mx", list)]))
            if checkPTR, !addresses.isEmpty {
                let results = dns.lookup(Array(addresses.keys))
                var missing: [String] = []
                for (address, host) in addresses.sorted(by: { $0.key < $1.key }) {
                    if case .name(_, let confirmed) = results[address], confirmed { continue }
                    missing.append("\(address) (\(host))")
                }
                checks.append(
                    Check(
                        id: "mx.ptr", domain: name, status: missing.isEmpty ? .pass : .warning,
                        message: missing.isEmpty
                            ? "every MX address has a forward-confirmed PTR"
                            : "no forward-confirmed PTR for \(missing.joined(separator: ", "))",
                        fix: missing.isEmpty
                            ? nil : "ask the address's owner for a PTR naming the host, which resolves back"))
            }
            return checks
        }
    }

    // MARK: MTA-STS

    func mtaSTS(_ name: String) -> [Check] {
        let at = "_mta-sts." + name
        let records: [String]
        switch dns.txt(at) {
        case .failure(let reason):
            return [
                Check(
                    id: "mta-sts.record", domain: name, status: .warning,
                    message: "the lookup at \(at) failed (\(reason))")
            ]
        case .none:
            return [
                Check(
                    id: "mta-sts.record", domain: name, status: .warning,
                    message: "no MTA-STS record: senders may deliver to \(name) without TLS, or to a forged MX",
                    fix:
                        "publish a policy at https://mta-sts.\(name)/.well-known/mta-sts.txt and \(at) TXT \"v=STSv1; id=1\"",
                    records: [("mta-sts", "")])
            ]
        case .records(let texts):
            records = texts.filter { $0.hasPrefix("v=STSv1;") || $0 == "v=STSv1" }
        }
        let id = records.first.flatMap { record in
            record.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces) }.first { $0.hasPrefix("id=") }
                .map { String($0.dropFirst(3)) }
        }
        guard records.count == 1, let id, (1...32).contains(id.count), id.allSatisfy({ $0.isLetter || $0.isNumber }),
            id.allSatisfy(\.isASCII)
        else {
            return [
                Check(
                    id: "mta-sts.record", domain: name, status: .failure,
                    message: records.count > 1
                        ? "\(records.count) MTA-STS records at \(at): senders use none"
                        : "the record at \(at) needs v=STSv1; and an id= of 1 to 32 letters or digits",
                    fix: "publish one record: v=STSv1; id=20260101",
                    records: [("mta-sts", records.sorted().joined(separator: "\n"))])
            ]
        }
        var checks = [
            Check(
                id: "mta-sts.record", domain: name, status: .pass, message: "one MTA-STS record, id=\(id)",
                evidence: [("record", records[0])], records: [("mta-sts", records[0])])
        ]
        var address: String?
        if policyAddressFromCheckDNS, case .records(let found) = dns.addresses("mta-sts." + name) {
            address = found.first
        }
        let fetched = MTASTSFetch.fetch(domain: name, address: address, caFile: caFile)
        guard let text = fetched.policy else {
            checks.append(
                Check(
                    id: "mta-sts.policy", domain: name, status: .failure,
                    message: "the policy cannot be fetched: " + fetched.problems.joined(separator: "; "),
                    fix: "serve the policy over HTTPS at mta-sts.\(name) with a certificate for that name"))
            return checks
        }
        let policy = MTASTSPolicy(text)
        let problems = fetched.problems + policy.errors

        var evidence = [("mode", policy.mode ?? ""), ("mx", policy.mx.joined(separator: " "))]
        if let maxAge = policy.maxAge { evidence.append(("max_age", String(maxAge))) }
        if !problems.isEmpty {
            let serious = !policy.errors.isEmpty
            checks.append(
                Check(
                    id: "mta-sts.policy", domain: name, status: serious ? .failure : .warning,
                    message: problems.joined(separator: "; "), fix: "correct the policy file", evidence: evidence))
        } else if policy.mode == "testing" || (policy.maxAge ?? 0) < 86_400 {
            checks.append(
                Check(
                    id: "mta-sts.policy", domain: name, status: .warning,
                    message: policy.mode == "testing"
                        ? "mode: testing: failures are reported, not enforced"
                        : "max_age \(policy.maxAge ?? 0) s is under a day: senders refetch often and a lapse leaves them unprotected",
                    fix: policy.mode == "testing"
                        ? "move to mode: enforce once the TLS reports are clean" : "use weeks (604800 or more)",
                    evidence: evidence))
        } else {
            checks.append(
                Check(
                    id: "mta-sts.policy", domain: name, status: .pass,
                    message: "mode: \(policy.mode ?? ""), max_age \(policy.maxAge ?? 0)", evidence: evidence))
        }
        if policy.mode != "none", case .records(let hosts) = dns.mx(name) {
            let uncovered = hosts.map(\.host).filter { !policy.covers($0) }
            checks.append(
                Check(
                    id: "mta-sts.mx", domain: name, status: uncovered.isEmpty ? .pass : .failure,
                    message: uncovered.isEmpty
                        ? "the policy's mx patterns cover every MX host"
                        : "MX hosts the policy does not name: \(uncovered.joined(separator: ", ")): enforcing senders will not deliver there",
                    fix: uncovered.isEmpty ? nil : "add mx: lines for them (and a new id=)", evidence: evidence))
        }
        if let index = checks.firstIndex(where: { $0.id == "mta-sts.policy" }) {
            checks[index].records = [
                (
                    "mta-sts policy",
                    "mode: \(policy.mode ?? ""); mx: \(policy.mx.joined(separator: " ")); max_age: \(policy.maxAge.map(String.init) ?? "")"
                )
            ]
        }
        return checks
    }

    // MARK: TLS-RPT

    func tlsrpt(_ name: String) -> [Check] {
        let at = "_smtp._tls." + name
        switch dns.txt(at) {
        case .failure(let reason):
            return [
                Check(
                    id: "tlsrpt.record", domain: name, status: .warning,
                    message: "the lookup at \(at) failed (\(reason))")
            ]
        case .none:
            return [
                Check(
                    id: "tlsrpt.record", domain: name, status: .warning,
                    message: "no TLS-RPT record: senders do not report TLS failures to \(name)",
                    fix: "publish \(at) TXT \"v=TLSRPTv1; rua=mailto:tls-reports@\(name)\"",
                    records: [("tlsrpt", "")])
            ]
        case .records(let texts):
            let records = texts.filter { $0.hasPrefix("v=TLSRPTv1;") || $0 == "v=TLSRPTv1" }
            let history = [(kind: "tlsrpt", value: records.sorted().joined(separator: "\n"))]
            guard records.count == 1 else {
                return [
                    Check(
                        id: "tlsrpt.record", domain: name, status: .failure,
                        message: records.isEmpty
                            ? "no record at \(at) begins v=TLSRPTv1;"
                            : "\(records.count) TLS-RPT records at \(at): senders use none (RFC 8460 §3)",
                        fix: "keep exactly one record beginning v=TLSRPTv1;", records: history)
                ]
            }
            let fields = records[0].split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces) }
            let rua = fields.first { $0.hasPrefix("rua=") }.map { String($0.dropFirst(4)) }
            let uris = rua?.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) } ?? []
            let bad = uris.filter { !(DMARCRecord.validURI($0)) }
            if uris.isEmpty || !bad.isEmpty {
                return [
                    Check(
                        id: "tlsrpt.record", domain: name, status: .failure,
                        message: uris.isEmpty
                            ? "the TLS-RPT record has no rua="
                            : "rua= has \(bad.joined(separator: ", ")), not mailto: or https:",
                        fix: "rua=mailto:ADDRESS or rua=https://URL", evidence: [("record", records[0])],
                        records: history)
                ]
            }
            return [
                Check(
                    id: "tlsrpt.record", domain: name, status: .pass,
                    message: "one TLS-RPT record, reports to \(uris.joined(separator: ", "))",
                    evidence: [("record", records[0])], records: history)
            ]
        }
    }
}
