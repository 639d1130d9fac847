import Foundation
import ReportIngest
import ReportModel
import ReportPipeline
import ReportStore
import ReportTestSupport
import Testing

/// Large originals are deflated on a thread of their own while their reports are stored, and their
/// chunks stored as they are ready: whatever happens to the reports, the input's bytes are kept whole.
@Suite struct OriginalKeepingTests {
    /// A report of `rows` records (about 430 bytes each), all distinct sources.
    static func largeReport(rows: Int, lastCount: Int? = nil) -> [UInt8] {
        let records = (0..<rows).map { index in
            SyntheticReport.Row(
                "198.18.\(index / 256 % 256).\(index % 256)", index == rows - 1 ? (lastCount ?? 3) : 1 + index % 7,
                dkim: index % 5 == 0 ? "fail" : "pass", signingDomain: "example.com")
        }
        let report = SyntheticReport(org: "Big Receiver", reportID: "big-\(rows)", begin: 1_764_547_200, rows: records)
        return Array(report.xml.utf8)
    }

    static func importing(_ paths: [String], into database: ReportDatabase) throws -> [ImportItem] {
        var items: [ImportItem] = []
        let summary = try ImportPipeline(database: database).importPaths(paths) { items.append($0) }
        #expect(summary.failures.isEmpty)
        return items
    }

    /// An import writes many megabytes of log before it closes: SQLite's default would checkpoint the
    /// log (and wait for two fsyncs) every 4 MiB of it.
    @Test func anImportIsNotCheckpointedEveryFewMegabytesAndTheConnectionsSettingsComeBackAfter() throws {
        let temp = try TemporaryDirectory()
        let database = try temp.makeDatabase()
        // Four imports, each committing about 3 MB: with a checkpoint every 4 MiB the log would be written
        // over from its start again and stay near that size.
        for rows in 12_000..<12_004 {
            let path = try temp.write("big-\(rows).xml", Self.largeReport(rows: rows))
            #expect(try Self.importing([path], into: database).map(\.outcome) == [.stored])
        }
        let log = try FileManager.default.attributesOfItem(atPath: database.path + "-wal")[.size] as? Int ?? 0
        #expect(log > 8 << 20, "the log holds the whole import: \(log) bytes")
        let settings = try database.importSensitiveSettings()
        #expect(settings.walAutocheckpoint == 1000)
        #expect(settings.tempStore == 1, "sorts and temporary tables spill to files again, as the reports need")
    }

    @Test func aLargeInputIsKeptExactlyInMemoryAndStreamedFromItsFile() throws {
        let temp = try TemporaryDirectory()
        let database = try temp.makeDatabase()
        let inMemory = Self.largeReport(rows: 12_000)
        // Streamed, hashed alongside, and read again from the file in chunks for its original.
        let streamed = Self.largeReport(rows: Self.streamedRows)
        #expect(inMemory.count > 3 * Deflate.chunkSize && streamed.count > 16 << 20)
        let items = try Self.importing(
            [try temp.write("a.xml", inMemory), try temp.write("b.xml", streamed)], into: database)
        #expect(items.map(\.outcome) == [.stored, .stored])
        #expect(items.map(\.records) == [12_000, 42_000])
        #expect(try database.originalBytes(sha256: SHA256Hasher.digest(inMemory)) == inMemory)
        #expect(try database.originalBytes(sha256: SHA256Hasher.digest(streamed)) == streamed)
    }

    @Test func aDuplicateReportInALargeMessageLeavesTheMessageWhole() throws {
        let temp = try TemporaryDirectory()
        let database = try temp.makeDatabase()
        let xml = Self.largeReport(rows: 12_000)
        let base64 = Data(xml).base64EncodedString(options: .lineLength76Characters)
        let message = Array(
            """
            From: dmarc@receiver.example\r
            To: rua@example.com\r
            Subject: Report domain: example.com Submitter: receiver.example\r
            Message-ID: <big-12000@receiver.example>\r
            Date: Tue, 02 Dec 2025 10:00:00 +0000\r
            MIME-Version: 1.0\r
            Content-Type: multipart/mixed; boundary="part"\r
            \r
            --part\r
            Content-Type: text/plain\r
            \r
            The report is attached.\r
            --part\r
            Content-Type: application/xml; name="big.xml"\r
            Content-Disposition: attachment; filename="big.xml"\r
            Content-Transfer-Encoding: base64\r
            \r
            \(base64)\r
            --part--\r

            """.utf8)
        // The report's savepoint is rolled back at its end (a duplicate): the message's chunks stored
        // meanwhile go with it and must be stored again.
        let items = try Self.importing(
            [try temp.write("a.xml", xml), try temp.write("b.eml", message)], into: database)
        #expect(items.map(\.outcome) == [.stored, .duplicate])
        #expect(try database.originalBytes(sha256: SHA256Hasher.digest(message)) == message)
    }

    @Test func aLargeReportRejectedAtItsLastRecordKeepsItsInputWhole() throws {
        let temp = try TemporaryDirectory()
        let database = try temp.makeDatabase()
        let xml = Self.largeReport(rows: 12_000, lastCount: -1)
        let items = try Self.importing([try temp.write("bad.xml", xml)], into: database)
        #expect(items.map(\.outcome) == [.rejected])
        #expect(items.first?.reason == "record 12000: <count> is negative (-1)")
        #expect(try database.tableCounts()["record"] == 0)
        #expect(try database.originalBytes(sha256: SHA256Hasher.digest(xml)) == xml)
    }

    /// Larger than what is read whole into memory: hashed on a thread of its own while it is parsed.
    static let streamedRows = 42_000

    @Test func aLargeFileImportedAgainIsADuplicateAndChangesNothing() throws {
        let temp = try TemporaryDirectory()
        let database = try temp.makeDatabase()
        let path = try temp.write("big.xml", Self.largeReport(rows: Self.streamedRows))
        #expect(try Self.importing([path], into: database).map(\.outcome) == [.stored])
        let counts = try database.tableCounts()
        var items: [ImportItem] = []
        let again = try ImportPipeline(database: database).importPaths([path]) { items.append($0) }
        #expect(again.failures.isEmpty && again.inputs == 1)
        #expect(items.map(\.outcome) == [.duplicate])
        #expect(try database.tableCounts() == counts)
    }

    @Test func theSameLargeFileTwiceInOneRunIsStoredOnce() throws {
        let temp = try TemporaryDirectory()
        let database = try temp.makeDatabase()
        let bytes = Self.largeReport(rows: Self.streamedRows)
        let paths = [try temp.write("a.xml", bytes), try temp.write("b.xml", bytes)]
        // The second is known only once its digest is: after it was read and written, which is undone.
        #expect(try Self.importing(paths, into: database).map(\.outcome) == [.stored, .duplicate])
        let counts = try database.tableCounts()
        #expect(counts["input"] == 1 && counts["input_blob"] == 1 && counts["record"] == Self.streamedRows)
        #expect(try database.originalBytes(sha256: SHA256Hasher.digest(bytes)) == bytes)
    }

    @Test func aLargeZipIsReadFromItsFileAndKeptExactly() throws {
        let temp = try TemporaryDirectory()
        let database = try temp.makeDatabase()
        // Stored, not deflated, so that the archive is several megabytes.
        let zip = try Compression.zip([.file("big.xml", Self.largeReport(rows: 12_000), compressed: false)])
        #expect(zip.count > 3 << 20)
        let items = try Self.importing([try temp.write("big.zip", zip)], into: database)
        #expect(items.map(\.outcome) == [.stored])
        #expect(items.map(\.records) == [12_000])
        #expect(try database.originalBytes(sha256: SHA256Hasher.digest(zip)) == zip)
    }
}
