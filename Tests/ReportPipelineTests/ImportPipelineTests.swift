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
        let summary = ImportPipeline(database: database).importPaths(folders) { items.append($0) }
        #expect(summary.failures.isEmpty)
        #expect(summary.inputs == 54)
        #expect(summary.stored == 34)
        #expect(summary.duplicates == 7)
        #expect(summary.rejected == 12)
        #expect(summary.skipped == 4)
        #expect(items.count == summary.stored + summary.duplicates + summary.rejected + summary.skipped)
        // Every input's bytes are kept, rejected ones included.
        #expect(try database.tableCounts()["input"] == 54)
        #expect(try database.tableCounts()["message"] == 13)
        #expect(try database.rejectedItems().count == 12)
        #expect(items.filter { $0.outcome == .rejected }.allSatisfy { ($0.reason ?? "").isEmpty == false })
    }

    @Test func importingTwiceStoresNothingNew() throws {
        let temp = try TemporaryDirectory()
        let database = try temp.makeDatabase()
        let pipeline = ImportPipeline(database: database)
        let first = pipeline.importPaths([SampleReports.path("dmarc"), SampleReports.path("quirks")])
        let countsAfterFirst = try database.tableCounts()
        let second = pipeline.importPaths([SampleReports.path("dmarc"), SampleReports.path("quirks")])
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
        ImportPipeline(database: database).importPaths([plain, gzip, zip]) { outcomes.append($0.outcome) }
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
        let summary = ImportPipeline(database: database).importPaths([path]) { items.append($0) }
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
        let summary = ImportPipeline(database: database).importPaths([fifo]) { items.append($0) }
        #expect(summary.failures.isEmpty)
        #expect(items.map(\.outcome) == [.stored])
        #expect(try database.originalBytes(sha256: SHA256Hasher.digest(xml)) == xml)
    }

    @Test func aMissingPathIsAFailureAndTheRestCarriesOn() throws {
        let temp = try TemporaryDirectory()
        let database = try temp.makeDatabase()
        let summary = ImportPipeline(database: database).importPaths(
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
        ImportPipeline(database: database, limits: .init(maxReportBytes: 1 << 20)).importPaths([path]) {
            items.append($0)
        }
        #expect(items.map(\.outcome) == [.rejected])
        #expect(items.first?.reason?.contains("exceeds the limit of 1048576 bytes") == true)
        #expect(try database.tableCounts()["report"] == 0)
        #expect(try database.tableCounts()["input_blob"] == 1)
    }
}

extension String {
    func replacingOccurrences(of target: String, with replacement: String) -> String {
        split(separator: target, omittingEmptySubsequences: false).joined(separator: replacement)
    }
}
