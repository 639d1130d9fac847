import ReportIngest
import Testing

@Suite struct SnifferTests {
    @Test(
        arguments: [
            ([0x1F, 0x8B, 0x08], PayloadKind.gzip),
            ([0x50, 0x4B, 0x03, 0x04], .zip),
            ([0x50, 0x4B, 0x05, 0x06], .zip),
            ([0x78, 0x9C, 0x00], .zlib),
            ([0x78, 0x01, 0x00], .zlib),
            (Array("<?xml version=\"1.0\"?>".utf8), .xml),
            ([0xEF, 0xBB, 0xBF] + Array("\r\n  <feedback>".utf8), .xml),
            (Array("\n\n{\"organization-name\":1}".utf8), .json),
            (Array("[{}]".utf8), .json),
            (Array("unused".utf8), .unknown),
            ([0x00, 0x05, 0x16, 0x07], .unknown),
        ] as [([UInt8], PayloadKind)])
    func kindIsDecidedByTheBytes(_ bytes: [UInt8], _ expected: PayloadKind) {
        #expect(Sniffer.sniff(bytes, isComplete: true) == expected)
    }

    @Test func onlyWhiteSpaceSoFarWaitsForMoreBytes() {
        #expect(Sniffer.sniff(Array("\n\n   ".utf8), isComplete: false) == nil)
        #expect(Sniffer.sniff(Array("\n\n   ".utf8), isComplete: true) == .unknown)
    }

    @Test func utf16DocumentsAreRecognised() {
        let text = "<feedback/>"
        let bytes: [UInt8] = [0xFF, 0xFE] + text.utf16.flatMap { [UInt8($0 & 0xFF), UInt8($0 >> 8)] }
        #expect(Sniffer.sniff(bytes, isComplete: true) == .xml)
    }
}
