import Foundation
import ReportIngest
import ReportModel
import ReportTestSupport
import Testing

@Suite struct MIMETests {
    func message(_ text: String) -> MIMEPart {
        MIMEParser.parse(Array(text.utf8))
    }

    @Test func foldedHeadersAreUnfoldedAndMisfoldedLinesJoined() {
        let part = message(
            "Received: from a by\r\n b with SMTP\r\nX-Antispam: BCL:0;ARA:1|\r\n2|3;\r\nSubject: hi\r\n\r\nbody")
        #expect(part.headers.value("received") == "from a by b with SMTP")
        #expect(part.headers.value("X-Antispam") == "BCL:0;ARA:1| 2|3;")
        #expect(part.headers.value("Subject") == "hi")
        #expect(Array(part.rawBody) == Array("body".utf8))
    }

    @Test func encodedWordsAreDecodedAndAdjacentOnesJoined() {
        #expect(EncodedWords.decode("=?UTF-8?B?UmU6IHLDqXN1bcOp?=") == "Re: résumé")
        #expect(
            EncodedWords.decode("=?iso-8859-1?Q?Ren=E9_M=FCller?= <r@example.net>") == "René Müller <r@example.net>")
        #expect(EncodedWords.decode("=?UTF-8?Q?a?= =?UTF-8?Q?b?=") == "ab")
        #expect(EncodedWords.decode("plain =?broken") == "plain =?broken")
    }

    @Test func rfc2231ContinuationsAndCharsetsMakeTheFilename() {
        let part = message(
            """
            Content-Type: application/octet-stream;
             name*0=amazonses.com!example.com!1745971200!1746057600.xm;
             name*1=l.gz

            x
            """)
        #expect(part.filename == "amazonses.com!example.com!1745971200!1746057600.xml.gz")
        let extended = message(
            "Content-Type: text/xml\nContent-Disposition: attachment; filename*=utf-8''r%C3%A9sum%C3%A9.xml\n\nx")
        #expect(extended.filename == "résumé.xml")
        let encoded = message("Content-Type: application/zip; name=\"=?UTF-8?B?cmVwb3J0LnppcA==?=\"\n\nx")
        #expect(encoded.filename == "report.zip")
    }

    @Test func quotedParameterValuesKeepSemicolonsEscapesAndNonASCII() {
        let parameters = HeaderParameters(
            #"Attachment; FileName="a;b \"c\" é\\.xml"; size=3; creation-date="Mon, 1 Dec 2025 08:00:00 +0000""#)
        #expect(parameters.value == "attachment")
        #expect(parameters["filename"] == #"a;b "c" é\.xml"#)
        #expect(parameters["size"] == "3")
        #expect(parameters["creation-date"] == "Mon, 1 Dec 2025 08:00:00 +0000")
        #expect(HeaderParameters("text/xml; name=\"unterminated; x=1").parameters["name"] == "\"unterminated; x=1")
    }

    @Test func base64ToleratesLineBreaksWhiteSpaceAndMissingPadding() {
        #expect(TransferEncoding.base64(Array("aGVs\r\nbG8g d29y\nbGQ".utf8)[...]) == Array("hello world".utf8))
    }

    @Test func quotedPrintableHandlesSoftBreaksAndEscapes() {
        let decoded = TransferEncoding.quotedPrintable(Array("caf=C3=A9 =\r\nau lait=3D=\nok".utf8)[...])
        #expect(String(decoding: decoded, as: UTF8.self) == "café au lait=ok")
    }

    @Test func multipartAtAnyDepthWithPreambleEpilogueAndNoClosingBoundary() {
        let part = message(
            """
            Content-Type: multipart/mixed; boundary=outer

            preamble
            --outer
            Content-Type: multipart/alternative; boundary="inner"

            --inner
            Content-Type: text/plain

            plain
            --inner
            Content-Type: text/html

            <p>html</p>
            --inner--
            --outer
            Content-Type: application/gzip
            Content-Transfer-Encoding: base64

            H4sIAAAAAAAAA0vLz1dIzcnJBwBigOWoCQAAAA==
            """)
        #expect(part.children.count == 2)
        #expect(part.children[0].children.map(\.mediaType) == ["text/plain", "text/html"])
        #expect(part.children[0].children[0].decodedBody == Array("plain".utf8))
        #expect(part.children[1].path == "2")
        #expect(part.children[1].decodedBody.starts(with: [0x1F, 0x8B]))
    }

    @Test func nestedMessagesAreParsed() {
        let part = message(
            """
            Content-Type: multipart/mixed; boundary=b

            --b
            Content-Type: message/rfc822

            Subject: inner
            Content-Type: text/plain

            inner body
            --b--
            """)
        let inner = part.children[0].children[0]
        #expect(inner.headers.value("Subject") == "inner")
        #expect(inner.decodedBody == Array("inner body".utf8))
        #expect(inner.path == "1.1")
    }

    @Test func partCountIsCapped() {
        var text = "Content-Type: multipart/mixed; boundary=b\n\n"
        for _ in 0..<(MIMEReader.maxParts + 50) { text += "--b\nContent-Type: text/plain\n\nx\n" }
        let part = message(text + "--b--\n")
        #expect(part.allParts.count <= MIMEReader.maxParts + 1)
    }
}

@Suite struct MailSampleTests {
    @Test(arguments: [
        (
            "mail/google-zip.eml",
            ["google.com!example.com!1764547200!1764633599.zip › google.com!example.com!1764547200!1764633599.xml"]
        ),
        ("mail/microsoft-gzip.eml", ["protection.outlook.com!example.com!1764547200!1764633600.xml.gz"]),
        ("mail/yahoo-gzip-rfc2231.eml", ["yahoo.com!example.org!1764547200!1764633599.xml.gz"]),
        ("mail/mimecast-single-part.eml", ["mimecast.org!example.net!1764547200!1764633600!mail-mimecast-1.xml.gz"]),
        ("mail/amazonses-octet-stream.eml", ["amazonses.com!example.com!1764547200!1764633599.xml.gz"]),
        (
            "mail/fastmail-xml-quoted-printable.eml",
            ["fastmail.com!example.org!1764547200!1764633599!mail-fastmail-1.xml"]
        ),
        (
            "mail/forwarded-by-a-person.eml",
            ["google.com!example.com!1764547200!1764633599.zip › google.com!example.com!1764547200!1764633599.xml"]
        ),
        ("mail/tlsrpt-google.eml", ["google.com!example.com!1764547200!1764633599!001.json.gz"]),
    ])
    func everyReportAttachmentIsFoundByItsBytes(_ sample: String, _ parts: [String]) throws {
        let result = try RecordingVisitor.unpack(file: SampleReports.path(sample))
        #expect(result.payloads.map(\.location.part) == parts)
        #expect(result.payloads.allSatisfy { $0.finished && $0.error == nil })
        #expect(result.rejected.isEmpty)
        #expect(result.messages.count >= 1)
    }

    @Test(arguments: [
        ("mail/failure-report-arf.eml", "failure report (ARF): not processed"),
        ("mail/human-reply.eml", "message carries no aggregate or TLS report"),
    ])
    func mailWithoutAReportIsSkippedWithItsReason(_ sample: String, _ reason: String) throws {
        let result = try RecordingVisitor.unpack(file: SampleReports.path(sample))
        #expect(result.payloads.isEmpty)
        #expect(result.skipped.map(\.1) == [reason])
    }

    @Test func messageHeadersAreKept() throws {
        let tls = try RecordingVisitor.unpack(file: SampleReports.path("mail/tlsrpt-google.eml"))
        #expect(tls.messages.first?.tlsReportDomain == "example.com")
        #expect(tls.messages.first?.tlsReportSubmitter == "google.com")
        let fastmail = try RecordingVisitor.unpack(file: SampleReports.path("mail/fastmail-xml-quoted-printable.eml"))
        #expect(
            fastmail.messages.first?.subject
                == "Report Domain: example.org Submitter: fastmail.com Report-ID: mail-fastmail-1")
        #expect(fastmail.messages.first?.messageID == "<mail-fastmail-1@fastmail.com>")
        #expect(fastmail.payloads.first?.text.contains("Fastmail Pty Ltd – Ürümqi") == true)
    }

    @Test func anMboxLargerThanItsReadBufferIsSplitExactlyWhereverItsChunksEnd() throws {
        let temp = try TemporaryDirectory()
        var messages: [[UInt8]] = []
        var mbox: [UInt8] = []
        // Messages of uneven sizes, half with CRLF line ends, past three of the reader's chunks.
        for number in 0..<3_000 {
            let end = number % 2 == 0 ? "\n" : "\r\n"
            let body = (0..<(number % 37)).map {
                "line \($0) of message \(number) \(String(repeating: "x", count: $0 * 3))"
            }
            let text = (["Subject: message \(number)", ""] + body).joined(separator: end) + end
            messages.append(Array(text.utf8))
            mbox += Array("From sender@example.com Mon Dec  1 00:00:00 2025\(end)".utf8) + Array(text.utf8)
            mbox += Array(end.utf8)
        }
        #expect(mbox.count > 3 * MboxReader.chunkSize)
        // Messages above a kilobyte go through temporary files.
        var reader = try MboxReader(path: try temp.write("large.mbox", mbox), memoryLimit: 1024)
        var read: [[UInt8]] = []
        while let message = try reader.next() {
            read.append(try message.readAll())
            #expect(message.sha256 == SHA256Hasher.digest(read.last ?? []))
        }
        #expect(read.count == messages.count)
        #expect(read == messages)
    }

    @Test func anMboxIsSplitIntoItsMessagesAndFromLinesUnescaped() throws {
        var reader = try MboxReader(path: SampleReports.path("mail/reports.mbox"), memoryLimit: 1 << 20)
        var messages: [[UInt8]] = []
        while let message = try reader.next() { messages.append(try message.readAll()) }
        #expect(messages.count == 3)
        let letter = String(decoding: messages[2], as: UTF8.self)
        // mboxrd: one '>' less on every escaped "From " line.
        #expect(letter.contains("\nFrom the top"))
        #expect(letter.contains("\n>From here on, they are imported every night."))
        #expect(messages[0].starts(with: Array("Delivered-To:".utf8)))
    }
}

/// A message past the parser's caps is not called report-less without saying a cap was hit.
@Suite struct MIMECapTests {
    static let attachment = """
        Content-Type: application/gzip; name="report.xml.gz"
        Content-Transfer-Encoding: base64

        H4sIAAAAAAAAA7PJL0pVyMsvSc0FAGxDi/QHAAAA
        """

    @Test func aMessageWithMorePartsThanTheLimitSaysSo() throws {
        var message = "From: a@example.com\nSubject: many parts\nMIME-Version: 1.0\n"
        message += "Content-Type: multipart/mixed; boundary=\"b\"\n\n"
        for _ in 0..<MIMEReader.maxParts { message += "--b\nContent-Type: text/plain\n\nx\n" }
        message += "--b\n\(Self.attachment)\n--b--\n"
        let result = try RecordingVisitor.unpack(Array(message.utf8), name: "many.eml")
        let reason = try #require(result.skipped.first?.1)
        #expect(reason.contains("more than 10000 parts, the limit"))
    }

    @Test func aMessageNestedDeeperThanTheLimitSaysSo() throws {
        var message = "From: a@example.com\nSubject: deep\nMIME-Version: 1.0\n"
        for level in 0..<40 { message += "Content-Type: multipart/mixed; boundary=\"b\(level)\"\n\n--b\(level)\n" }
        message += Self.attachment + "\n"
        let result = try RecordingVisitor.unpack(Array(message.utf8), name: "deep.eml")
        let reason = try #require(result.skipped.first?.1)
        #expect(reason.contains("deeper than 32 levels, the limit"))
    }
}

/// Messages are read as they stream: the same parts whatever pieces the bytes arrive in, and a report
/// part's bytes handed on while the message is still being read.
@Suite struct StreamingMailTests {
    static let report = Array(
        #"<?xml version="1.0"?><feedback><report_metadata><org_name>x</org_name></report_metadata></feedback>"#
            .utf8)

    /// A message exercising every way a piece boundary can fall badly: CR LF line ends, a quoted-printable
    /// part with soft breaks and escapes, a base64 gzip on one line longer than the reader holds, a
    /// base64-encoded message/rfc822 with a report inside, nested multiparts and a missing closing
    /// boundary.
    static func awkwardMessage() -> [UInt8] {
        let gzip = Compression.gzip(report + Array(repeating: UInt8(ascii: " "), count: 20_000))
        let longLine = base64(gzip)
        let quoted = String(decoding: report, as: UTF8.self).replacingOccurrences(of: "=", with: "=3D")
            .replacingOccurrences(of: "><", with: ">=\r\n<")
        let inner =
            "Subject: inner\r\nContent-Type: application/xml; name=inner.xml\r\n\r\n"
            + String(decoding: report, as: UTF8.self) + "\r\n"
        let encodedInner = base64(Array(inner.utf8)).chunked(76).joined(separator: "\r\n")
        let text = [
            "From: reports@example.net", "Subject: Report Domain: example.com",
            "Content-Type: multipart/mixed; boundary=\"outer\"", "",
            "preamble", "--outer", "Content-Type: multipart/alternative; boundary=inner", "",
            "--inner", "Content-Type: text/plain", "", "see attached", "--inner--",
            "--outer", "Content-Type: text/xml; name=quoted.xml", "Content-Transfer-Encoding: quoted-printable", "",
            quoted, "--outer", "Content-Type: application/gzip; name=long.xml.gz",
            "Content-Transfer-Encoding: base64", "", longLine,
            "--outer", "Content-Type: message/rfc822", "Content-Transfer-Encoding: base64", "", encodedInner,
            "--outer", "Content-Type: application/xml; name=last.xml", "", String(decoding: report, as: UTF8.self),
        ].joined(separator: "\r\n")
        return Array(text.utf8)
    }

    static func base64(_ bytes: [UInt8]) -> String {
        Data(bytes).base64EncodedString()
    }

    @Test(arguments: [1, 2, 3, 7, 76, 4095, 4096, 4097, 65536])
    func aMessageReadInPiecesOfAnySizeGivesTheSameReports(pieceSize: Int) throws {
        let message = Self.awkwardMessage()
        let whole = try RecordingVisitor.unpack(message, name: "m.eml")
        let pieces = try RecordingVisitor.unpack(message, name: "m.eml", limits: UnpackLimits(chunkSize: pieceSize))
        #expect(whole.payloads.map(\.location.part) == ["quoted.xml", "long.xml.gz", "inner.xml", "last.xml"])
        #expect(pieces.rejected.map(\.message) == [] && pieces.skipped.map(\.1) == [])
        #expect(whole.payloads.allSatisfy { $0.finished && $0.error == nil })
        #expect(pieces.payloads.map(\.location.part) == whole.payloads.map(\.location.part))
        #expect(pieces.payloads.map(\.bytes) == whole.payloads.map(\.bytes), "payload bytes differ")
        let expected = Self.report + Array(repeating: UInt8(ascii: " "), count: 20_000)
        #expect(
            whole.payloads.map(\.bytes) == [Self.report, expected, Self.report + [0x0D, 0x0A], Self.report],
            "payload bytes are not the attachments")
    }

    /// Records when each leaf's bytes arrive relative to the pieces written.
    final class Order: MIMEReaderDelegate {
        var events: [String] = []
        func partBegan(_ part: MIMEPart, isLeaf: Bool) throws { events.append("begin \(part.path)") }
        func leafBody(_ bytes: UnsafeRawBufferPointer) throws {
            if events.last != "body" { events.append("body") }
        }
        func leafEnded() throws { events.append("end") }
    }

    @Test func aLeafsBytesArriveWhileTheMessageIsStillBeingRead() throws {
        let head = "Content-Type: multipart/mixed; boundary=b\n\n--b\nContent-Type: application/gzip\n\n"
        let order = Order()
        let reader = MIMEReader(delegate: order)
        try Array(head.utf8).withUnsafeBytes { try reader.write($0) }
        let line = Array(repeating: UInt8(ascii: "A"), count: 1 << 20)
        try line.withUnsafeBytes { try reader.write($0) }
        // One megabyte into a line with no end yet: its bytes are already on their way.
        #expect(order.events == ["begin ", "begin 1", "body"])
        try Array("\n--b--\n".utf8).withUnsafeBytes { try reader.write($0) }
        try reader.finish()
        #expect(order.events == ["begin ", "begin 1", "body", "end"])
    }

    @Test func aPartWithoutHeadersLongerThanTheHeaderCapIsReadAsBody() throws {
        let body = String(repeating: "not a header line\n", count: (MIMEReader.maxHeaderBytes / 18) + 10)
        let message = MIMEParser.parse(
            Array(("Content-Type: multipart/mixed; boundary=b\n\n--b\n" + body + "--b--\n").utf8))
        #expect(message.children.count == 1)
        #expect(message.children[0].mediaType == "text/plain")
        #expect(message.children[0].rawBody.count == body.utf8.count - 1)
    }
}

extension String {
    fileprivate func chunked(_ size: Int) -> [String] {
        var chunks: [String] = []
        var rest = self[...]
        while !rest.isEmpty {
            chunks.append(String(rest.prefix(size)))
            rest = rest.dropFirst(size)
        }
        return chunks
    }
}

@Suite struct SpoolTests {
    @Test func anInputPastTheMemoryLimitGoesToATemporaryFileRemovedWithTheLastReference() throws {
        let temp = try TemporaryDirectory()
        let directory = temp.url.path
        let spool = Spool(memoryLimit: 10, directory: directory)
        try spool.append(Array("0123456789".utf8))
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory) == [])
        try spool.append(Array("abc".utf8))
        var input: SpooledInput? = try spool.finish()
        var spooledName: String?
        if case .file(let file)? = input?.content { spooledName = (file.path as NSString).lastPathComponent }
        #expect(spooledName != nil, "not spooled to a file")
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory) == [spooledName].compactMap { $0 })
        #expect(try input?.readAll() == Array("0123456789abc".utf8))
        #expect(input?.sha256 == SHA256Hasher.digest(Array("0123456789abc".utf8)))
        input = nil
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory) == [])
        try spool.append(Array("small".utf8))
        guard case .bytes(let bytes) = try spool.finish().content else {
            Issue.record("a small input after a large one is not held in memory")
            return
        }
        #expect(bytes == Array("small".utf8))
    }
}
