import Foundation
import ReportIngest
import ReportModel
import ReportTestSupport
import Testing

@Suite struct UnpackerTests {
    let xml = "<?xml version=\"1.0\"?><feedback><report_metadata/></feedback>\n"

    @Test func plainXMLIsOnePayload() throws {
        let result = try RecordingVisitor.unpack(Array(xml.utf8))
        #expect(result.payloads.count == 1)
        #expect(result.payloads[0].format == .dmarcXML)
        #expect(result.payloads[0].text == xml)
        #expect(result.payloads[0].finished)
    }

    @Test func jsonIsHandedOnAsTLSReport() throws {
        let result = try RecordingVisitor.unpack(Array("{\"organization-name\":\"x\"}".utf8))
        #expect(result.payloads.map(\.format) == [.tlsrptJSON])
    }

    @Test func gzipIsInflated() throws {
        let result = try RecordingVisitor.unpack(Compression.gzip(xml))
        #expect(result.payloads.first?.text == xml)
        #expect(result.payloads.first?.diagnostics == [])
    }

    @Test func concatenatedGzipMembersAreOneStream() throws {
        let bytes = Array(xml.utf8)
        let result = try RecordingVisitor.unpack(
            Compression.gzip(Array(bytes[..<10])) + Compression.gzip(Array(bytes[10...])))
        #expect(result.payloads.first?.text == xml)
        #expect(result.payloads.first?.diagnostics.map(\.code) == [.gzipMultiMember])
    }

    @Test func gzipInsideGzipIsUnwrapped() throws {
        let result = try RecordingVisitor.unpack(Compression.gzip(Compression.gzip(xml)))
        #expect(result.payloads.first?.text == xml)
        #expect(result.payloads.first?.diagnostics.map(\.code) == [.nestedCompression])
    }

    @Test func rawZlibStreamIsInflated() throws {
        let result = try RecordingVisitor.unpack(Compression.zlib(Array(xml.utf8)))
        #expect(result.payloads.first?.text == xml)
        #expect(result.payloads.first?.diagnostics.map(\.code) == [.zlibStream])
    }

    @Test func trailingBytesAfterGzipKeepTheReportWithADiagnostic() throws {
        let result = try RecordingVisitor.unpack(Compression.gzip(xml) + Array("\r\n".utf8))
        let payload = try #require(result.payloads.first)
        #expect(payload.text == xml)
        #expect(payload.error == nil)
        #expect(payload.diagnostics.map(\.code) == [.gzipTrailingBytes])
        #expect(payload.diagnostics.first?.message.contains("2 bytes of white space") == true)
    }

    @Test func truncatedGzipIsAbortedWithAReason() throws {
        let gz = Compression.gzip(String(repeating: xml, count: 50))
        let result = try RecordingVisitor.unpack(Array(gz.prefix(gz.count / 2)), name: "cut.xml.gz")
        let error = try #require(result.payloads.first?.error)
        #expect(error.code == .truncated)
        #expect(error.description.hasPrefix("cut.xml.gz: gzip stream truncated"))
    }

    @Test func gzipWithBadChecksumIsCorrupt() throws {
        var gz = Compression.gzip(xml)
        gz[gz.count - 6] ^= 0xFF
        let result = try RecordingVisitor.unpack(gz)
        #expect(result.payloads.first?.error?.code == .corrupt)
    }

    @Test func aBombOfWhiteSpaceIsRejectedAfterItsFirstBytes() throws {
        let bomb = Compression.gzip([UInt8](repeating: UInt8(ascii: " "), count: 8 << 20) + Array(xml.utf8))
        let result = try RecordingVisitor.unpack(bomb)
        #expect(result.rejected.map(\.code) == [.notAReport])
        #expect(result.payloads.isEmpty)
    }

    @Test func decompressionCapAppliesToAPayloadAlreadyStreaming() throws {
        let big = Compression.gzip(xml + String(repeating: "<!-- padding -->", count: 200_000))
        let result = try RecordingVisitor.unpack(big, limits: UnpackLimits(maxReportBytes: 1 << 20))
        #expect(result.payloads.first?.error?.code == .tooLarge)
    }

    @Test func emptyInputIsRejected() throws {
        let result = try RecordingVisitor.unpack([], name: "empty.xml")
        #expect(result.rejected.map(\.code) == [.empty])
        #expect(result.rejected.first?.description == "empty.xml: empty (0 bytes)")
    }

    @Test func contentThatIsNotAReportIsDescribedNeverQuoted() throws {
        let text = try RecordingVisitor.unpack(Array("unused".utf8))
        #expect(text.rejected.first?.code == .notAReport)
        #expect(text.rejected.first?.message.hasSuffix("(it looks like plain text)") == true)
        #expect(text.rejected.first?.message.contains("unused") == false)
        let pdf = try RecordingVisitor.unpack(Array("%PDF-1.7 secret".utf8))
        #expect(pdf.rejected.first?.message.hasSuffix("(it looks like a PDF document)") == true)
        let binary = try RecordingVisitor.unpack([0x01, 0x02, 0xFF, 0x00, 0x41])
        #expect(binary.rejected.first?.message.hasSuffix("(it looks like binary data)") == true)
    }

    @Test func compressionNestedTooDeepIsRejected() throws {
        var bytes = Array(xml.utf8)
        for _ in 0..<6 { bytes = Compression.gzip(bytes) }
        let result = try RecordingVisitor.unpack(bytes)
        #expect(result.rejected.map(\.code) == [.tooDeep])
    }

    @Test func everyZipMemberIsReadAndMacMetadataIsSkipped() throws {
        let zip = try Compression.zip([
            .directory("reports/"),
            .file("reports/a.xml", Array(xml.utf8)),
            .file("b.xml", Array(xml.utf8), compressed: false),
            .file("c.xml.gz", Compression.gzip(xml)),
            .file("__MACOSX/._a.xml", [0, 5, 22, 7, 0, 2, 0, 0]),
        ])
        let temp = try TemporaryDirectory()
        let path = try temp.write("bundle.zip", zip)
        let result = try RecordingVisitor.unpack(file: path)
        #expect(result.payloads.map(\.location.part) == ["reports/a.xml", "b.xml", "c.xml.gz"])
        #expect(result.payloads.allSatisfy { $0.text == xml && $0.finished && $0.error == nil })
        #expect(result.skipped.map(\.0.part) == ["__MACOSX/._a.xml"])
        #expect(result.rejected.isEmpty)
    }

    @Test func zipInMemoryAndZipInsideGzipAreRead() throws {
        let zip = try Compression.zip([.file("r.xml", Array(xml.utf8))])
        #expect(try RecordingVisitor.unpack(zip).payloads.first?.text == xml)
        let nested = try RecordingVisitor.unpack(Compression.gzip(zip))
        #expect(nested.payloads.first?.text == xml)
        #expect(nested.payloads.first?.location.part == "r.xml")
    }

    @Test func truncatedZipIsRejected() throws {
        let zip = try Compression.zip([.file("r.xml", Array(String(repeating: xml, count: 20).utf8))])
        let temp = try TemporaryDirectory()
        let path = try temp.write("cut.zip", Array(zip.prefix(zip.count - 30)))
        let result = try RecordingVisitor.unpack(file: path)
        #expect(result.rejected.map(\.code) == [.truncated])
    }

    @Test func zipMemberThatIsNotAReportIsRejectedNamingTheMember() throws {
        let zip = try Compression.zip([.file("notes.xml", Array("just text".utf8))])
        let result = try RecordingVisitor.unpack(zip, name: "r.zip")
        #expect(result.rejected.first?.description.hasPrefix("r.zip › notes.xml: not a report") == true)
    }

    @Test func zipMemberCountIsCapped() throws {
        let zip = try Compression.zip((0..<5).map { .file("m\($0).xml", Array(xml.utf8)) })
        let result = try RecordingVisitor.unpack(zip, limits: UnpackLimits(maxZipMembers: 3))
        #expect(result.payloads.count == 3)
        #expect(result.rejected.map(\.code) == [.tooManyMembers])
    }

    @Test func zipMemberLargerThanTheCapIsRefusedWhileExtracting() throws {
        let zip = try Compression.zip([.file("big.xml", Array((xml + String(repeating: " ", count: 2 << 20)).utf8))])
        let result = try RecordingVisitor.unpack(zip, limits: UnpackLimits(maxReportBytes: 1 << 20))
        #expect(result.payloads.first?.error?.code == .tooLarge)
    }

    /// Overwrites a member's compressed and uncompressed sizes in its local header and its central
    /// directory entry.
    private func declareSizes(_ size: UInt32, in zip: inout [UInt8]) throws {
        let field = withUnsafeBytes(of: size.littleEndian) { Array($0) }
        for (signature, sizeOffset) in [([0x50, 0x4B, 0x03, 0x04] as [UInt8], 18), ([0x50, 0x4B, 0x01, 0x02], 20)] {
            let start = try #require((0...(zip.count - 4)).first { Array(zip[$0..<($0 + 4)]) == signature })
            zip.replaceSubrange((start + sizeOffset)..<(start + sizeOffset + 8), with: field + field)
        }
    }

    private func failures(_ result: RecordingVisitor) -> [IngestError] {
        result.rejected + result.payloads.compactMap(\.error)
    }

    @Test func zipMemberDeclaringMoreBytesThanTheArchiveHoldsIsCorrupt() throws {
        var zip = try Compression.zip([.file("r.xml", Array(xml.dropLast(12).utf8), compressed: false)])
        try declareSizes(0x7FFF_FFF0, in: &zip)
        let result = try RecordingVisitor.unpack(zip, name: "lying.zip")
        #expect(failures(result).map(\.code) == [.corrupt])
        #expect(failures(result).first?.description.hasPrefix("lying.zip › r.xml: ") == true)
        #expect(failures(result).first?.description.contains("past the end of the archive") == true)
    }

    /// Found by fuzzing: a deflate stream that does not end within the member made the zip library
    /// read on at end of file forever. The member's declared size now bounds the read.
    @Test func zipMemberWhoseDeflateStreamDoesNotEndIsCorruptNotAHang() throws {
        var zip = try Compression.zip([.file("r.xml", Array(String(repeating: xml, count: 50).utf8))])
        try declareSizes(8, in: &zip)
        let result = try RecordingVisitor.unpack(zip, name: "cut.zip")
        #expect(failures(result).map(\.code) == [.corrupt])
        #expect(failures(result).first?.description.contains("truncated") == true)
    }

    @Test func everyKeptFuzzingCrasherUnpacksWithoutCrashing() throws {
        let folder = SampleReports.packageRoot.appendingPathComponent("Tests/FuzzCrashers/unpack").path
        let names = try FileManager.default.contentsOfDirectory(atPath: folder).filter { !$0.hasPrefix(".") }
        #expect(!names.isEmpty)
        for name in names {
            let result = try RecordingVisitor.unpack(file: folder + "/" + name)
            // Accounted for: a report, or a reason it is not one.
            #expect(!(result.payloads.isEmpty && failures(result).isEmpty && result.skipped.isEmpty), "\(name)")
        }
    }

    @Test func sampleArchiveQuirksAllYieldTheirReport() throws {
        for sample in [
            "quirks/multi-member.xml.gz", "quirks/trailing-crlf.xml.gz", "quirks/gzip-in-gzip.xml.gz.gz",
            "quirks/raw-zlib-stream.xml.z", "quirks/gzip-named-as.zip",
        ] {
            let result = try RecordingVisitor.unpack(file: SampleReports.path(sample))
            #expect(result.payloads.count == 1, "\(sample)")
            #expect(result.payloads.first?.text.contains("</feedback>") == true, "\(sample)")
            #expect(result.payloads.first?.error == nil, "\(sample)")
        }
    }
}
