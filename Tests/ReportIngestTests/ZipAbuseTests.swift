import ReportIngest
import ReportModel
import ReportTestSupport
import Testing

/// Archives made to cost hours or to hide members: each member is accounted for by name, and no
/// archive makes Rua inflate more than its limits.
@Suite struct ZipAbuseTests {
    /// The end-of-central-directory record's position.
    static func endRecord(_ zip: [UInt8]) -> Int {
        (0...(zip.count - 22)).reversed().first { zip[$0..<($0 + 4)].elementsEqual([0x50, 0x4B, 0x05, 0x06]) }!
    }

    static func uint32(_ bytes: [UInt8], _ at: Int) -> Int {
        Int(bytes[at]) | Int(bytes[at + 1]) << 8 | Int(bytes[at + 2]) << 16 | Int(bytes[at + 3]) << 24
    }

    static func put32(_ value: Int, into bytes: inout [UInt8], at: Int) {
        for index in 0..<4 { bytes[at + index] = UInt8(truncatingIfNeeded: value >> (8 * index)) }
    }

    /// A zip whose central directory lists its one member `copies` times, every entry pointing at the
    /// same data: the shape of a 1.5 MB archive that asks for hours of inflating.
    static func overlapping(_ member: [UInt8], copies: Int) throws -> [UInt8] {
        let zip = try Compression.zip([.file("bomb.xml", member)])
        let end = endRecord(zip)
        let directoryOffset = uint32(zip, end + 16)
        let record = Array(zip[directoryOffset..<end])
        var out = Array(zip[..<directoryOffset])
        for _ in 0..<copies { out += record }
        var tail = Array(zip[end...])
        tail[8] = UInt8(copies & 0xFF)
        tail[9] = UInt8(copies >> 8)
        tail[10] = UInt8(copies & 0xFF)
        tail[11] = UInt8(copies >> 8)
        put32(record.count * copies, into: &tail, at: 12)
        return out + tail
    }

    @Test func membersSharingTheirDataAreRefusedUnread() throws {
        let zeros = [UInt8](repeating: 0x20, count: 4 << 20)
        let result = try RecordingVisitor.unpack(try Self.overlapping(zeros, copies: 200))
        #expect(result.payloads.isEmpty)
        #expect(result.rejected.count == 200)
        #expect(result.rejected.allSatisfy { $0.message.contains("overlaps another member's") })
    }

    @Test func anEncryptedMemberIsNamedAndTheMembersAfterItAreRead() throws {
        let report = try SampleReports.bytes("source/yahoo.com!example.org!1764547200!1764633599.xml")
        var zip = try Compression.zip([.file("a.xml", report), .file("secret.xml", report), .file("z.xml", report)])
        // Mark the middle member encrypted (general purpose flag bit 0) in its central directory entry.
        let end = Self.endRecord(zip)
        var position = Self.uint32(zip, end + 16)
        for index in 0..<3 {
            if index == 1 { zip[position + 8] |= 1 }
            let lengths = Int(zip[position + 28]) | Int(zip[position + 29]) << 8
            let extra = Int(zip[position + 30]) | Int(zip[position + 31]) << 8
            let comment = Int(zip[position + 32]) | Int(zip[position + 33]) << 8
            position += 46 + lengths + extra + comment
        }
        let result = try RecordingVisitor.unpack(zip, name: "reports.zip")
        #expect(result.payloads.map(\.location.description) == ["reports.zip › a.xml", "reports.zip › z.xml"])
        #expect(
            result.rejected.map(\.description) == [
                "reports.zip › secret.xml: zip member is encrypted: it cannot be read without its password"
            ])
    }

    @Test func anArchivesMembersTogetherStayWithinTheLimitForOneInput() throws {
        let rows = (0..<2_000).map { SyntheticReport.Row("192.0.2.\($0 % 250 + 1)", 1) }
        let members = (0..<4).map { index in
            Compression.Member.file(
                "r\(index).xml",
                Array(
                    SyntheticReport(org: "R\(index)", reportID: "\(index)", begin: 1_764_547_200, rows: rows).xml.utf8))
        }
        let size = Int64(members[0].bytes?.count ?? 0)
        let limits = UnpackLimits(maxReportBytes: size + 1024, maxInputBytes: size * 2 + size / 2)
        let result = try RecordingVisitor.unpack(try Compression.zip(members), limits: limits)
        #expect(result.payloads.filter { $0.finished && $0.error == nil }.count == 2)
        let problems = result.rejected.map(\.message) + result.payloads.compactMap(\.error?.message)
        #expect(problems.contains { $0.contains("bytes left of the limit for one input") })
        #expect(problems.contains { $0.contains("the limit for one input") && $0.hasPrefix("not read") })
    }
}

/// Thousands of gzip members in one file are read one after another, in constant memory, wherever the
/// chunks that carry them are cut.
@Suite struct GzipMemberTests {
    @Test(arguments: [2, 3, 19, 256 * 1024])
    func thousandsOfEmptyMembersBeforeTheReportAreReadInOnePass(_ chunkSize: Int) throws {
        let report = try SampleReports.bytes("source/yahoo.com!example.org!1764547200!1764633599.xml")
        let empty = Compression.gzip([UInt8]())
        let count = chunkSize < 64 ? 300 : 13_000
        var file: [UInt8] = []
        for _ in 0..<count { file += empty }
        file += Compression.gzip(report)
        let result = try RecordingVisitor.unpack(
            file, name: "members.xml.gz", limits: UnpackLimits(chunkSize: chunkSize))
        #expect(result.rejected.isEmpty)
        let payload = try #require(result.payloads.first)
        #expect(payload.bytes == report)
        #expect(payload.diagnostics.contains { $0.message == "\(count + 1) concatenated gzip members" })
    }

    @Test(arguments: [2, 5, 256 * 1024])
    func bytesAfterTheLastMemberAreTrailingWhereverTheChunkEnds(_ chunkSize: Int) throws {
        let report = try SampleReports.bytes("source/yahoo.com!example.org!1764547200!1764633599.xml")
        let file = Compression.gzip(report) + [0x1F, 0x00, 0x41]
        let result = try RecordingVisitor.unpack(file, name: "t.xml.gz", limits: UnpackLimits(chunkSize: chunkSize))
        let payload = try #require(result.payloads.first)
        #expect(payload.bytes == report)
        #expect(payload.diagnostics.contains { $0.message.hasPrefix("3 bytes of unrecognised bytes") })
    }
}

/// The bounds hold for an input as a whole, however its archives nest.
@Suite struct NestedArchiveTests {
    @Test func membersOfNestedZipsCountTogether() throws {
        let report = try SampleReports.bytes("source/yahoo.com!example.org!1764547200!1764633599.xml")
        let inner = try Compression.zip((0..<6).map { Compression.Member.file("r\($0).xml", report) })
        let outer = try Compression.zip((0..<3).map { Compression.Member.file("inner\($0).zip", inner) })
        let result = try RecordingVisitor.unpack(outer, name: "outer.zip", limits: UnpackLimits(maxZipMembers: 10))
        // 3 inner zips and 18 reports would be 21 members; the input's first 10 (two inner zips, six
        // reports of the first and two of the second) are read, the rest refused.
        #expect(result.payloads.count == 8)
        #expect(result.rejected.contains { $0.message.contains("more than 10 archive members in one input") })
    }

    @Test func bytesInflatedInNestedLayersCountTogether() throws {
        let rows = (0..<2_000).map { SyntheticReport.Row("192.0.2.\($0 % 250 + 1)", 1) }
        let xml = Array(SyntheticReport(org: "R", reportID: "1", begin: 1_764_547_200, rows: rows).xml.utf8)
        let gzipped = Compression.gzip(xml)
        let outer = try Compression.zip((0..<4).map { Compression.Member.file("r\($0).xml.gz", gzipped) })
        let size = Int64(xml.count)
        let limits = UnpackLimits(maxReportBytes: size + 1024, maxInputBytes: size * 3)
        let result = try RecordingVisitor.unpack(outer, name: "gz-in-zip.zip", limits: limits)
        let stored = result.payloads.filter { $0.finished && $0.error == nil }.count
        #expect(stored < 4)
        let problems = result.rejected.map(\.message) + result.payloads.compactMap(\.error?.message)
        #expect(problems.contains { $0.contains("the limit for one input") })
    }
}
