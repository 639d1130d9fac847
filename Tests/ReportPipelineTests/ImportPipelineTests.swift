import Foundation
import ReportIngest
import ReportModel
import ReportPipeline
import ReportStore
import ReportTestSupport
import Testing

@Suite struct ImportPipelineTests {
    @Test func everySampleEndsUpStoredDuplicateRejectedOrSkipped() throws {
        let temp = try TemporaryDirectory()
        let database = try temp.makeDatabase()
        var items: [ImportItem] = []
        let folders = SampleReports.folders.map { SampleReports.packageRoot.appendingPathComponent($0).path }
        let summary = try ImportPipeline(database: database).importPaths(folders) { items.append($0) }
        let expected = SampleManifest.shared.all
        #expect(summary.failures.isEmpty)
        #expect(summary.inputs == expected.inputs)
        #expect(summary.stored == expected.stored)
        #expect(summary.duplicates == expected.duplicates)
        #expect(summary.rejected == expected.rejected)
        #expect(summary.skipped == expected.skipped)
        #expect(items.count == summary.stored + summary.duplicates + summary.rejected + summary.skipped)
        // Every input's bytes are kept, rejected ones included.
        #expect(try database.tableCounts()["input"] == expected.inputs)
        #expect(try database.tableCounts()["message"] == expected.messagesRead)
        #expect(try database.rejectedItems().count == expected.rejected)
        #expect(items.filter { $0.outcome == .rejected }.allSatisfy { ($0.reason ?? "").isEmpty == false })
    }

    @Test func importingTwiceStoresNothingNew() throws {
        let temp = try TemporaryDirectory()
        let database = try temp.makeDatabase()
        let pipeline = ImportPipeline(database: database)
        let first = try pipeline.importPaths([SampleReports.path("dmarc"), SampleReports.path("quirks")])
        let countsAfterFirst = try database.tableCounts()
        let second = try pipeline.importPaths([SampleReports.path("dmarc"), SampleReports.path("quirks")])
        #expect(first.stored > 0)
        #expect(second.stored == 0)
        #expect(second.duplicates == first.stored + first.duplicates)
        #expect(try database.tableCounts() == countsAfterFirst)
    }

    @Test func theSameReportInAnotherWrapperIsADuplicate() throws {
        let temp = try TemporaryDirectory()
        let xml = try SampleReports.bytes("source/yahoo.com!example.org!1764547200!1764633599.xml")
        let plain = try temp.write("r.xml", xml)
        let gzip = try temp.write("r.xml.gz", Compression.gzip(xml))
        let zip = try temp.write("r.zip", Compression.zip([.file("r.xml", xml)]))
        let database = try temp.makeDatabase()
        var outcomes: [ImportItem.Outcome] = []
        try ImportPipeline(database: database).importPaths([plain, gzip, zip]) { outcomes.append($0.outcome) }
        #expect(outcomes == [.stored, .duplicate, .duplicate])
        #expect(try database.tableCounts()["report"] == 1)
    }

    @Test func aBadMemberDoesNotStopTheOthers() throws {
        let temp = try TemporaryDirectory()
        let good = try SampleReports.bytes("source/yahoo.com!example.org!1764547200!1764633599.xml")
        // A report whose second record is broken: its first record was already written, and must go.
        let broken = String(decoding: good, as: UTF8.self)
            .replacingOccurrences(of: "<count>9</count>", with: "<count>nine</count>")
            .replacingOccurrences(of: "1764640017.482913", with: "broken-1")
        let path = try temp.write(
            "mixed.zip", Compression.zip([.file("broken.xml", Array(broken.utf8)), .file("good.xml", good)]))
        let database = try temp.makeDatabase()
        var items: [ImportItem] = []
        let summary = try ImportPipeline(database: database).importPaths([path]) { items.append($0) }
        #expect(items.map(\.outcome) == [.rejected, .stored])
        #expect(items[0].reason == "record 2: <count> 'nine' is not a number")
        #expect(items[0].part == "broken.xml")
        #expect(summary.records == 2)
        #expect(try database.tableCounts()["record"] == 2)
    }

    @Test func aNamedPipeIsReadOnceAsOneInput() throws {
        let temp = try TemporaryDirectory()
        let fifo = temp.path("reports.fifo")
        #expect(mkfifo(fifo, 0o600) == 0)
        let xml = try SampleReports.bytes("source/yahoo.com!example.org!1764547200!1764633599.xml")
        let writer = Thread {
            guard let handle = FileHandle(forWritingAtPath: fifo) else { return }
            handle.write(Data(xml))
            try? handle.close()
        }
        writer.start()
        let database = try temp.makeDatabase()
        var items: [ImportItem] = []
        let summary = try ImportPipeline(database: database).importPaths([fifo]) { items.append($0) }
        #expect(summary.failures.isEmpty)
        #expect(items.map(\.outcome) == [.stored])
        #expect(try database.originalBytes(sha256: SHA256Hasher.digest(xml)) == xml)
    }

    /// The database is opened beside the reader: here it cannot open until the reader has opened the
    /// input (a FIFO it reads), so the import completes only if reading starts before the database opens.
    @Test func theReaderStartsWhileTheDatabaseOpensAndStoredInputsAreStillFound() throws {
        let temp = try TemporaryDirectory()
        let fifo = temp.path("message.fifo")
        let path = temp.path("db.sqlite")
        let message = try SampleReports.bytes("mail/google-zip.eml")
        func importFIFO() throws -> [ImportItem] {
            #expect(mkfifo(fifo, 0o600) == 0)
            defer { unlink(fifo) }
            let pipeline = ImportPipeline(
                databaseAt: .sqlite(path: path),
                opening: {
                    // A FIFO opens for writing (without waiting) only once its reader has it open.
                    var descriptor: Int32 = -1
                    for _ in 0..<500 where descriptor < 0 {
                        descriptor = open(fifo, O_WRONLY | O_NONBLOCK)
                        if descriptor < 0 { Thread.sleep(forTimeInterval: 0.01) }
                    }
                    guard descriptor >= 0 else { throw StoreError("the reader did not start before the database") }
                    let handle = FileHandle(fileDescriptor: descriptor, closeOnDealloc: true)
                    handle.write(Data(message))
                    try handle.close()
                    return try ReportDatabase(path: path)
                })
            var items: [ImportItem] = []
            let summary = try pipeline.importPaths([fifo, SampleReports.path("dmarc")]) { items.append($0) }
            #expect(summary.failures.isEmpty)
            return items
        }
        let first = try importFIFO()
        let second = try importFIFO()
        #expect(first.map(\.outcome).filter { $0 == .stored }.count == 5)
        #expect(second.allSatisfy { $0.outcome == .duplicate || $0.outcome == .skipped })
        #expect(second.count == first.count)
    }

    @Test func aDatabaseThatCannotBeOpenedFailsTheImportWithItsErrorAndNothingIsWritten() throws {
        let temp = try TemporaryDirectory()
        // Far more messages than the queue between reader and writer holds: the reader has filled it and
        // waits when opening fails.
        let message = try SampleReports.bytes("mail/google-zip.eml")
        var mbox: [UInt8] = []
        for _ in 0..<2000 { mbox += Array("From dmarc@example.com Mon Dec  1 00:00:00 2025\n".utf8) + message + [10] }
        let path = try temp.write("reports.mbox", mbox)
        let pipeline = ImportPipeline(
            databaseAt: .sqlite(path: temp.path("db.sqlite")),
            opening: {
                Thread.sleep(forTimeInterval: 0.2)
                throw StoreError("cannot open database: disk on fire", isTemporary: true)
            })
        let error = #expect(throws: StoreError.self) { try pipeline.importPaths([path]) }
        #expect(error?.message == "cannot open database: disk on fire")
        #expect(error?.isTemporary == true)
        #expect(!FileManager.default.fileExists(atPath: temp.path("db.sqlite")))
    }

    @Test func aMissingPathIsAFailureAndTheRestCarriesOn() throws {
        let temp = try TemporaryDirectory()
        let database = try temp.makeDatabase()
        let summary = try ImportPipeline(database: database).importPaths(
            [temp.path("nowhere.xml"), SampleReports.path("dmarc")])
        #expect(summary.failures == ["\(temp.path("nowhere.xml")): no such file or directory"])
        #expect(summary.stored == 4)
    }

    @Test func decompressionCapRejectsAndKeepsTheInput() throws {
        let temp = try TemporaryDirectory()
        let xml = try SampleReports.bytes("source/google.com!example.com!1764547200!1764633599.xml")
        let padded = xml + [UInt8](repeating: UInt8(ascii: "\n"), count: 3 << 20)
        let path = try temp.write("big.xml.gz", Compression.gzip(padded))
        let database = try temp.makeDatabase()
        var items: [ImportItem] = []
        try ImportPipeline(database: database, limits: .init(maxReportBytes: 1 << 20)).importPaths([path]) {
            items.append($0)
        }
        #expect(items.map(\.outcome) == [.rejected])
        #expect(items.first?.reason?.contains("exceeds the limit of 1048576 bytes") == true)
        #expect(try database.tableCounts()["report"] == 0)
        #expect(try database.tableCounts()["input_blob"] == 1)
    }
}

/// Zip members holding plain XML are read by the parser itself (pulled): the checks made while
/// extracting must still decide before a report is kept.
@Suite struct PulledZipMemberTests {
    static let xml = "source/google.com!example.com!1764547200!1764633599.xml"

    /// Imports `zip` (written to a file); returns the items and the number of reports stored.
    func importing(_ zip: [UInt8], limits: UnpackLimits = UnpackLimits()) throws -> ([ImportItem], Int) {
        let temp = try TemporaryDirectory()
        let path = try temp.write("reports.zip", zip)
        let database = try temp.makeDatabase()
        var items: [ImportItem] = []
        try ImportPipeline(database: database, limits: limits).importPaths([path]) { items.append($0) }
        return (items, try database.tableCounts()["report"] ?? -1)
    }

    @Test func aWellFormedMemberFailingItsCRCIsRejectedAndNothingIsStored() throws {
        let report = try SampleReports.bytes(Self.xml)
        var zip = try Compression.zip([.file("a.xml", report), .file("b.xml", report + Array("\n".utf8))])
        // The first member's CRC in its central directory entry (what the archive's listing reports).
        let entry = try #require((0...(zip.count - 4)).first { Array(zip[$0..<($0 + 4)]) == [0x50, 0x4B, 0x01, 0x02] })
        zip[entry + 16] ^= 0xFF
        let (items, reports) = try importing(zip)
        #expect(items.map(\.outcome) == [.rejected, .stored])
        #expect(items.first?.part == "a.xml")
        #expect(items.first?.reason?.contains("fails its CRC-32 check") == true)
        #expect(reports == 1)
    }

    @Test func aMemberGrowingPastTheCapWhileParsedIsRejected() throws {
        let report = try SampleReports.bytes(Self.xml)
        let padded = report + [UInt8](repeating: UInt8(ascii: "\n"), count: 3 << 20)
        let (items, reports) = try importing(
            try Compression.zip([.file("big.xml", padded)]), limits: .init(maxReportBytes: 1 << 20))
        #expect(items.map(\.outcome) == [.rejected])
        #expect(items.first?.reason?.contains("exceeds the limit of 1048576 bytes") == true)
        #expect(reports == 0)
    }

    @Test func contentAfterTheDocumentCountsInTheDigestPulledAsFed() throws {
        // libxml2 stops reading at content after the document; the digest must still cover every byte, so
        // that the same payload pulled from a zip and fed from a gzip is one report.
        let trailer = "<trailer>" + String(repeating: "after the document ", count: 20_000) + "</trailer>\n"
        let payload = try SampleReports.bytes(Self.xml) + Array(trailer.utf8)
        let temp = try TemporaryDirectory()
        let gzip = try temp.write("r.xml.gz", Compression.gzip(payload))
        let zip = try temp.write("r.zip", try Compression.zip([.file("r.xml", payload)]))
        let database = try temp.makeDatabase()
        var items: [ImportItem] = []
        try ImportPipeline(database: database).importPaths([gzip, zip]) { items.append($0) }
        #expect(items.map(\.outcome) == [.stored, .duplicate])
        #expect(try database.tableCounts()["report"] == 1)
    }

    @Test func aMemberWhoseDataIsCutIsRejected() throws {
        let report = try SampleReports.bytes(Self.xml)
        let zip = try Compression.zip([.file("r.xml", Array(repeating: report, count: 40).joined() + [])])
        // Damage the deflate data in the middle of the member.
        var damaged = zip
        for index in (zip.count / 3)..<(zip.count / 3 + 64) { damaged[index] = 0xFF }
        let (items, reports) = try importing(damaged)
        #expect(items.map(\.outcome) == [.rejected])
        #expect(items.first?.reason?.contains("zip member") == true)
        #expect(reports == 0)
    }
}

extension String {
    func replacingOccurrences(of target: String, with replacement: String) -> String {
        split(separator: target, omittingEmptySubsequences: false).joined(separator: replacement)
    }
}

/// A single large input reports its progress while its records are written, not only once done.
@Suite struct LargeInputProgressTests {
    @Test func aLargeFileReportsBytesReadOfItsSizeAndRecordsWhileItIsStored() throws {
        let temp = try TemporaryDirectory()
        let rows = (0..<60_000).map { SyntheticReport.Row("10.\($0 >> 16).\(($0 >> 8) & 255).\($0 & 255)", 1) }
        let report = SyntheticReport(org: "big.example", reportID: "big-1", begin: 1_764_547_200, rows: rows)
        let path = try temp.write("big.xml", report.xml)
        let size = Int64(try FileManager.default.attributesOfItem(atPath: path)[.size] as? Int ?? 0)
        #expect(size > 16 << 20, "larger than an input held in memory: streamed from its file")
        let pipeline = ImportPipeline(database: try temp.makeDatabase())
        var seen: [ImportProgress.Current] = []
        pipeline.onProgress = { progress in
            if let current = progress.current { seen.append(current) }
        }
        let summary = try pipeline.importPaths([path])
        #expect(summary.stored == 1)
        #expect(seen.count >= 3)
        #expect(seen.allSatisfy { $0.name == path && $0.size == size })
        #expect(seen.map(\.records) == seen.map(\.records).sorted() && seen.first?.records ?? 0 >= 16_384)
        #expect(seen.map(\.bytesRead) == seen.map(\.bytesRead).sorted())
        #expect((seen.first?.bytesRead ?? 0) > 0 && (seen.first?.bytesRead ?? size) < size)
    }
}
