import DomainCheck
import Foundation
import ReportModel
import ReportTestSupport
import SenderAttribution
import Testing

@Suite struct DMARCRecordTests {
    @Test func aGoodRecordHasNoErrorsOrWarnings() {
        let record = DMARCRecord("v=DMARC1; p=reject; sp=quarantine; adkim=s; rua=mailto:dmarc@example.com")
        #expect(record.errors.isEmpty && record.warnings.isEmpty)
        #expect(record.value("p") == "reject")
        #expect(record.reportURIs("rua") == ["mailto:dmarc@example.com"])
    }

    @Test func mistakesAreNamed() {
        #expect(DMARCRecord("p=reject; v=DMARC1").errors.contains("the record must begin with v=DMARC1"))
        #expect(DMARCRecord("v=DMARC1; p=block").errors.contains { $0.hasPrefix("p=block is not one of") })
        #expect(
            DMARCRecord("v=DMARC1; p=none; pct=50").warnings.contains { $0.hasPrefix("pct= was removed by RFC 9989") })
        #expect(DMARCRecord("v=DMARC1; p=none; colour=blue").warnings.contains("unknown tag colour= is ignored"))
        #expect(DMARCRecord("v=DMARC1; p=none; rua=dmarc@example.com").errors.contains { $0.contains("not a mailto:") })
        #expect(DMARCRecord("v=DMARC1").warnings.contains("no p= tag: receivers apply p=none"))
        // The obsolete size suffix is not part of the address.
        #expect(
            DMARCRecord("v=DMARC1; p=none; rua=mailto:a@example.com!10m").reportURIs("rua") == ["mailto:a@example.com"])
        #expect(!DMARCRecord.isDMARC("v=spf1 -all") && DMARCRecord.isDMARC("v=DMARC1;p=none"))
    }
}

/// `rua check`'s checks against a test zone served by dnsmasq on loopback.
@Suite(.enabled(if: DNSServer.isAvailable, DNSServer.missing)) struct DomainCheckerTests {
    static func checks(
        _ domain: String, txt: [(name: String, text: String)], mx: [(name: String, host: String, preference: Int)] = [],
        hosts: [(String, String)] = [], ptr: [(address: String, name: String)] = [],
        selectors: [DomainChecker.Selector] = [], now: Int64 = 0, raw: [(name: String, type: Int, data: [UInt8])] = []
    ) throws -> [Check] {
        let temp = try TemporaryDirectory()
        let server = try DNSServer.start(
            hostRecords: hosts, ptrRecords: ptr, txtRecords: txt, mxRecords: mx, rawRecords: raw, in: temp)
        let resolver = try ReverseResolver(
            DNSConfiguration(server: "127.0.0.1:\(server.port)", timeoutMilliseconds: 500))
        return DomainChecker(dns: resolver).check(domain, selectors: selectors, now: now)
    }

    /// A DKIM key record for a new RSA key of `bits`, its base64 cut into TXT strings of 250 characters.
    static func dkimRecord(bits: Int, extra: String = "") throws -> String {
        let temp = try TemporaryDirectory()
        func openssl(_ arguments: [String]) throws -> Data {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/usr/bin/openssl")
            process.arguments = arguments
            let out = Pipe()
            process.standardOutput = out
            process.standardError = FileHandle.nullDevice
            try process.run()
            let data = out.fileHandleForReading.readDataToEndOfFile()
            process.waitUntilExit()
            return data
        }
        _ = try openssl(["genrsa", "-out", temp.path("key.pem"), String(bits)])
        let key = try openssl(["rsa", "-in", temp.path("key.pem"), "-pubout", "-outform", "DER"]).base64EncodedString()
        let record = "v=DKIM1; k=rsa; \(extra)p=" + key
        var strings: [String] = []
        var rest = Substring(record)
        while !rest.isEmpty {
            strings.append(String(rest.prefix(250)))
            rest = rest.dropFirst(250)
        }
        // dnsmasq's configuration reads "a","b" as one record of two strings.
        return strings.joined(separator: "\",\"")
    }

    static func check(_ checks: [Check], _ id: String) -> Check? { checks.first { $0.id == id } }

    @Test func aWellConfiguredDomainPasses() throws {
        let checks = try Self.checks(
            "good.example",
            txt: [
                ("_dmarc.good.example", "v=DMARC1; p=reject; rua=mailto:dmarc@good.example"),
                ("good.example", "v=spf1 mx include:_spf.good.example -all"),
                ("_spf.good.example", "v=spf1 ip4:192.0.2.0/24 -all"),
                ("_smtp._tls.good.example", "v=TLSRPTv1; rua=mailto:tls@good.example"),
                ("s1._domainkey.good.example", try Self.dkimRecord(bits: 2048)),
            ],
            mx: [("good.example", "mx1.good.example", 10)], hosts: [("mx1.good.example", "192.0.2.25")],
            ptr: [("192.0.2.25", "mx1.good.example")],
            selectors: [DomainChecker.Selector(domain: "good.example", selector: "s1", lastSeen: 1_000_000)],
            now: 1_000_000)
        // No MTA-STS here (a warning; the policy has tests of its own).
        for check in checks where !check.id.hasPrefix("mta-sts") {
            #expect(check.status == .pass, "\(check.id): \(check.message)")
        }
        #expect(Self.check(checks, "mta-sts.record")?.status == .warning)
        #expect(Self.check(checks, "spf.record")?.message == "one SPF record, 2 of 10 DNS lookups")
    }

    @Test func missingDuplicateAndUnauthorisedRecordsFail() throws {
        let twice = try Self.checks(
            "twice.example",
            txt: [("_dmarc.twice.example", "v=DMARC1; p=none"), ("_dmarc.twice.example", "v=DMARC1; p=reject")])
        #expect(Self.check(twice, "dmarc.record")?.status == .failure)
        #expect(Self.check(twice, "dmarc.record")?.message.hasPrefix("2 DMARC records") == true)
        #expect(Self.check(twice, "spf.record")?.status == .failure)
        #expect(Self.check(twice, "tlsrpt.record")?.status == .warning)
        let external = try Self.checks(
            "ext.example",
            txt: [
                (
                    "_dmarc.ext.example",
                    "v=DMARC1; p=quarantine; rua=mailto:a@reports.vendor.example,mailto:b@ok.vendor2.example"
                ),
                ("ext.example._report._dmarc.ok.vendor2.example", "v=DMARC1"),
            ])
        let authorised = external.filter { $0.id == "dmarc.rua.authorised" }
        #expect(authorised.count == 2)
        #expect(authorised.first { $0.message.contains("reports.vendor.example") }?.status == .failure)
        #expect(authorised.first { $0.message.contains("ok.vendor2.example") }?.status == .pass)
    }

    @Test func theTreeWalkFindsTheOrganizationalDomainAsRFC9989Says() throws {
        #expect(
            DomainChecker.treeWalk("a.b.c.d.e.f.g.h.i.j.mail.example.com") == [
                "a.b.c.d.e.f.g.h.i.j.mail.example.com", "g.h.i.j.mail.example.com", "h.i.j.mail.example.com",
                "i.j.mail.example.com", "j.mail.example.com", "mail.example.com", "example.com", "com",
            ])
        #expect(DomainChecker.treeWalk("example.com") == ["example.com", "com"])
        let zone: [(name: String, text: String)] = [
            ("_dmarc.walk.example", "v=DMARC1; p=reject; rua=mailto:d@walk.example"),
            ("_dmarc.dept.walk.example", "v=DMARC1; p=quarantine; psd=n; rua=mailto:d@walk.example"),
            ("_dmarc.example", "v=DMARC1; p=reject; psd=y"),
        ]
        // psd=n: the department is an organization of its own, whatever the public suffix list says.
        let department = try Self.checks("mail.dept.walk.example", txt: zone)
        let record = try #require(Self.check(department, "dmarc.record"))
        #expect(record.message == "no record of its own; dept.walk.example's applies (RFC 9989 tree walk)")
        #expect(record.evidence.contains { $0 == ("organizational_domain", "dept.walk.example") })
        #expect(record.evidence.contains { $0 == ("psl_organizational_domain", "walk.example") })
        #expect(Self.check(department, "dmarc.policy")?.message == "p=quarantine")
        // Nothing below the public suffix domain's record: it applies, and names one label below it.
        let orphan = try Self.checks("x.orphan.example", txt: zone)
        let psd = try #require(Self.check(orphan, "dmarc.record"))
        #expect(psd.evidence.contains { $0 == ("organizational_domain", "orphan.example") })
        #expect(psd.evidence.contains { $0 == ("note", "the public suffix domain's record applies") })
        // The walk stops at the first record from the domain up: walk.example's own record applies to it.
        let own = try Self.checks("walk.example", txt: zone)
        #expect(Self.check(own, "dmarc.record")?.message == "one valid DMARC record")
        #expect(Self.check(own, "dmarc.policy")?.message == "p=reject")
    }

    @Test func theDiscontinuedSPFTypeIsNamed() throws {
        let text = "v=spf1 -all"
        let checks = try Self.checks(
            "rr.example", txt: [("rr.example", text)],
            raw: [("rr.example", 99, [UInt8(text.utf8.count)] + Array(text.utf8))])
        let rrtype = try #require(Self.check(checks, "spf.rrtype"))
        #expect(rrtype.status == .warning)
        #expect(rrtype.message.contains("discontinued SPF type (99)"))
        #expect(Self.check(checks, "spf.record")?.status == .pass)
        #expect(Self.check(try Self.checks("plain.example", txt: [("plain.example", text)]), "spf.rrtype") == nil)
    }

    @Test func anSPFTreeOverTenLookupsALoopAndPlusAllFail() throws {
        var txt: [(name: String, text: String)] = [
            ("big.example", "v=spf1 " + (1...11).map { "include:s\($0).big.example" }.joined(separator: " ") + " -all")
        ]
        txt += (1...11).map { ("s\($0).big.example", "v=spf1 ip4:192.0.2.\($0) -all") }
        let big = try Self.checks("big.example", txt: txt)
        let spf = try #require(Self.check(big, "spf.record"))
        #expect(spf.status == .failure)
        #expect(spf.message.contains("11 DNS-querying terms"))
        let loop = try Self.checks(
            "loop.example",
            txt: [
                ("loop.example", "v=spf1 include:a.loop.example -all"),
                ("a.loop.example", "v=spf1 include:loop.example -all"),
            ])
        #expect(
            Self.check(loop, "spf.record")?.message.contains("a loop: loop.example → a.loop.example → loop.example")
                == true)
        let open = try Self.checks("open.example", txt: [("open.example", "v=spf1 +all")])
        #expect(Self.check(open, "spf.record")?.message.contains("+all") == true)
        let voids = try Self.checks(
            "void.example", txt: [("void.example", "v=spf1 a:n1.void.example a:n2.void.example a:n3.void.example -all")]
        )
        #expect(Self.check(voids, "spf.record")?.message.contains("3 lookups found nothing") == true)
    }

    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/openssl"), "openssl makes the test keys"))
    func dkimKeysAreCheckedForSizeRevocationTestingAndUse() throws {
        let now: Int64 = 1_800_000_000
        let recently = now - 86_400
        let long = now - 60 * 86_400
        let selectors =
            ["weak", "short", "revoked", "testing", "gone", "good"].map {
                DomainChecker.Selector(domain: "keys.example", selector: $0, lastSeen: recently)
            } + [DomainChecker.Selector(domain: "keys.example", selector: "old", lastSeen: long)]
        let checks = try Self.checks(
            "keys.example",
            txt: [
                ("weak._domainkey.keys.example", try Self.dkimRecord(bits: 512)),
                ("short._domainkey.keys.example", try Self.dkimRecord(bits: 1024)),
                ("revoked._domainkey.keys.example", "v=DKIM1; k=rsa; p="),
                ("testing._domainkey.keys.example", try Self.dkimRecord(bits: 2048, extra: "t=y; ")),
                ("old._domainkey.keys.example", try Self.dkimRecord(bits: 2048)),
                ("good._domainkey.keys.example", try Self.dkimRecord(bits: 2048)),
            ], selectors: selectors, now: now)
        func key(_ selector: String) -> Check? {
            checks.first { $0.id == "dkim.key" && $0.message.hasPrefix("\(selector)._domainkey.") }
        }
        #expect(key("weak")?.status == .failure && key("weak")?.message.contains("512 bits") == true)
        #expect(key("short")?.status == .warning && key("short")?.message.contains("1024 bits") == true)
        #expect(key("revoked")?.status == .failure && key("revoked")?.message.contains("revoked") == true)
        #expect(key("testing")?.status == .warning && key("testing")?.message.contains("t=y") == true)
        #expect(key("gone")?.status == .failure && key("gone")?.message.contains("no key record") == true)
        #expect(key("old")?.status == .warning && key("old")?.message.contains("candidate to retire") == true)
        #expect(
            key("good")?.status == .pass
                && key("good")?.message == "good._domainkey.keys.example: an RSA key of 2048 bits")
        // With no selector known there is nothing to check, and it says so.
        let none = try Self.checks("keys.example", txt: [])
        #expect(none.first { $0.id == "dkim.selectors" }?.status == .warning)
    }

    @Test func anMXWithoutAddressOrPTRIsNamed() throws {
        let checks = try Self.checks(
            "mx.example", txt: [],
            mx: [("mx.example", "a.mx.example", 10), ("mx.example", "gone.mx.example", 20)],
            hosts: [("a.mx.example", "192.0.2.40")])
        #expect(Self.check(checks, "mx.hosts")?.status == .failure)
        #expect(Self.check(checks, "mx.hosts")?.message.contains("gone.mx.example") == true)
        // dnsmasq gives a host record its PTR: the address that resolves is forward-confirmed.
        #expect(Self.check(checks, "mx.ptr")?.status == .pass)
    }
}

@Suite struct MTASTSPolicyTests {
    @Test func aPolicyIsReadAsRFC8461Says() {
        let policy = MTASTSPolicy(
            "version: STSv1\r\nmode: enforce\r\nmx: mail.example.com\r\nmx: *.backup.example.com\r\nmax_age: 604800\r\n"
        )
        #expect(policy.errors.isEmpty)
        #expect(
            policy.covers("mail.example.com") && policy.covers("mx1.backup.example.com")
                && policy.covers("MAIL.example.com."))
        // A wildcard stands for exactly one label.
        #expect(
            !policy.covers("backup.example.com") && !policy.covers("a.b.backup.example.com")
                && !policy.covers("other.example.com"))
        #expect(MTASTSPolicy("version: STSv1\nmode: enforce\nmax_age: 86400\n").errors.contains("no mx: lines"))
        #expect(
            MTASTSPolicy("version: STSv1\nmode: strict\nmx: a.example\nmax_age: 1\n").errors.contains(
                "mode must be enforce, testing or none"))
        #expect(
            MTASTSPolicy("version: STSv1\nmode: none\nmax_age: 99999999999\n").errors.contains {
                $0.hasPrefix("max_age")
            })
    }
}
