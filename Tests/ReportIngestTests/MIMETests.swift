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
        for _ in 0..<(MIMEParser.maxParts + 50) { text += "--b\nContent-Type: text/plain\n\nx\n" }
        let part = message(text + "--b--\n")
        #expect(part.allParts.count <= MIMEParser.maxParts + 1)
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
        var reader = try MboxReader(path: try temp.write("large.mbox", mbox), maxMessageBytes: 1 << 20)
        var read: [[UInt8]] = []
        while let message = try reader.next() { read.append(message.bytes) }
        #expect(read.count == messages.count)
        #expect(read == messages)
    }

    @Test func anMboxIsSplitIntoItsMessagesAndFromLinesUnescaped() throws {
        var reader = try MboxReader(path: SampleReports.path("mail/reports.mbox"), maxMessageBytes: 1 << 20)
        var messages: [[UInt8]] = []
        while let message = try reader.next() { messages.append(message.bytes) }
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
        for _ in 0..<MIMEParser.maxParts { message += "--b\nContent-Type: text/plain\n\nx\n" }
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
