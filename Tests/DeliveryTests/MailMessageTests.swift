import Foundation
import ReportTestSupport
import Testing

@testable import Delivery

@Suite struct MailMessageTests {
    static let html = "<!DOCTYPE html><html><body><p>Rüa = 100%</p>\n<p>.leading dot</p></body></html>\n"
    static let text =
        "DMARC digest 2025-11-24 – 2025-11-30\n.a line with a leading dot\ntrailing blank \n"
        + String(repeating: "long ", count: 40) + "\n"

    static func message() -> MailMessage {
        MailMessage(
            from: MailAddress("Rüa Digest <rua@example.com>")!,
            to: [MailAddress("postmaster@example.com")!, MailAddress("Ops Team <ops@example.net>")!],
            subject: "DMARC-Übersicht 2025-11-24 – 2025-11-30: 2 critical, 5 warning, a long subject that folds",
            date: 1_764_576_000, text: text, html: html)
    }

    @Test func theMessageHasEveryHeaderOnceAndNoLineOver78Octets() {
        let bytes = Self.message().rendered()
        let wire = String(decoding: bytes, as: UTF8.self)
        #expect(bytes.allSatisfy { $0 < 128 }, "raw 8-bit needs 8BITMIME; the message must be 7-bit")
        let lines = wire.components(separatedBy: "\r\n")
        #expect(!wire.replacingOccurrences(of: "\r\n", with: "").contains("\n"), "bare LF")
        #expect(lines.allSatisfy { $0.utf8.count <= 78 }, "\(lines.filter { $0.utf8.count > 78 })")
        let headers = lines.prefix { !$0.isEmpty }
        for name in ["Date", "From", "To", "Subject", "Message-ID", "MIME-Version"] {
            #expect(headers.filter { $0.hasPrefix(name + ":") }.count == 1, "\(name)")
        }
        #expect(headers.contains("Date: Mon, 01 Dec 2025 08:00:00 +0000"))
        #expect(headers.contains { $0.hasPrefix("Message-ID: <") && $0.hasSuffix("@example.com>") })
        #expect(!lines.contains { $0.hasPrefix(".") }, "a line starting with a dot")
    }

    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/python3"), "python3 is not installed"))
    func aStandardMailParserReadsBackTheHeadersAndBothAlternatives() throws {
        let temp = try TemporaryDirectory()
        let file = temp.path("message.eml")
        try Data(Self.message().rendered()).write(to: URL(fileURLWithPath: file))
        // Python's email package, with the modern policy: decodes encoded words and quoted-printable.
        let script = """
            import email, email.policy, json, sys
            message = email.message_from_bytes(open(sys.argv[1], "rb").read(), policy=email.policy.default)
            # On the wire lines end in CR LF; the text is compared with LF line ends.
            parts = [(p.get_content_type(), p.get_content().replace("\\r\\n", "\\n")) for p in message.iter_parts()]
            print(json.dumps({"subject": str(message["subject"]), "from": str(message["from"]),
                "to": [a.addr_spec for a in message["to"].addresses], "type": message.get_content_type(),
                "defects": len(message.defects), "parts": parts}))
            """
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
        process.arguments = ["-c", script, file]
        let out = Pipe()
        process.standardOutput = out
        try process.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let parsed = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        #expect(parsed["subject"] as? String == Self.message().subject)
        #expect(parsed["from"] as? String == "Rüa Digest <rua@example.com>")
        #expect(parsed["to"] as? [String] == ["postmaster@example.com", "ops@example.net"])
        #expect(parsed["type"] as? String == "multipart/alternative")
        #expect(parsed["defects"] as? Int == 0)
        let parts = try #require(parsed["parts"] as? [[String]])
        #expect(parts.map { $0[0] } == ["text/plain", "text/html"], "plain first, HTML last")
        #expect(parts.first?[1] == Self.text)
        #expect(parts.last?[1] == Self.html)
    }

    @Test func addressesAreCheckedAndNamesEncodedOnlyWhenNeeded() {
        #expect(MailAddress("ops@example.com")?.header == "ops@example.com")
        #expect(MailAddress("Ops Team <ops@example.com>")?.header == "Ops Team <ops@example.com>")
        #expect(MailAddress("Ops, Team <ops@example.com>")?.header == "\"Ops, Team\" <ops@example.com>")
        #expect(MailAddress("Rüa <rua@example.com>")?.header.hasPrefix("=?UTF-8?B?") == true)
        for bad in ["", "ops", "ops@", "@example.com", "a b@example.com", "ops@example.com\r\nBcc: x@y", "a@b@c"] {
            #expect(MailAddress(bad) == nil, "\(bad)")
        }
    }

    @Test func quotedPrintableKeepsLinesShortAndEscapesWhatMustBe() {
        let lines = QuotedPrintable.encode("a=b \n" + String(repeating: "é", count: 60) + "\n.dot\ttab\t")
        #expect(lines[0] == "a=3Db=20")
        #expect(lines.allSatisfy { $0.count <= 76 })
        #expect(lines.contains("=2Edot\ttab=09"))
    }
}
