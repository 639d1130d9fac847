import Foundation
import ReportIngest
import ReportModel
import ReportPipeline
import ReportStore
import ReportTestSupport
import Testing

@Suite struct MailImportTests {
    @Test func eachMessageOfAnMboxIsAnInputAndReimportingFindsThemAll() throws {
        let temp = try TemporaryDirectory()
        let database = try temp.makeDatabase()
        let pipeline = ImportPipeline(database: database)
        var first: [ImportItem] = []
        try pipeline.importPaths([SampleReports.path("mail/reports.mbox")]) { first.append($0) }
        #expect(first.map(\.outcome) == [.stored, .stored, .skipped])
        #expect(
            first.map { $0.part?.split(separator: " ").prefix(2).joined(separator: " ") } == [
                "message 1", "message 2", "message 3",
            ])
        #expect(try database.tableCounts()["input"] == 3)
        #expect(try database.tableCounts()["message"] == 3)
        var second: [ImportItem] = []
        try pipeline.importPaths([SampleReports.path("mail/reports.mbox")]) { second.append($0) }
        #expect(second.map(\.outcome) == [.duplicate, .duplicate, .skipped])
        #expect(second.map(\.part) == first.map(\.part))
        #expect(try database.tableCounts()["input"] == 3)
    }

    /// A stored message is usually recognised by the reader before it is parsed; when the database opens
    /// too late for that, the writer finds it stored in its transaction. Both report the same items.
    @Test func aStoredMessageFoundByTheWriterIsReportedLikeOneFoundByTheReader() throws {
        let temp = try TemporaryDirectory()
        let mbox = SampleReports.path("mail/reports.mbox")
        try ImportPipeline(database: temp.makeDatabase()).importPaths([mbox])
        var early: [ImportItem] = []
        try ImportPipeline(database: temp.makeDatabase()).importPaths([mbox]) { early.append($0) }
        var late: [ImportItem] = []
        let summary = try ImportPipeline(
            databaseAt: .sqlite(path: temp.path("rua.sqlite")),
            opening: {
                // The reader has read every message by now, without a database to look them up in.
                Thread.sleep(forTimeInterval: 0.5)
                return try temp.makeDatabase()
            }
        ).importPaths([mbox]) { late.append($0) }
        #expect(early.map(\.outcome) == [.duplicate, .duplicate, .skipped])
        #expect(late == early)
        #expect(summary.duplicates == 2)
    }

    @Test func maildirMessagesInNewAreMarkedSeenOnlyOnceStoredAndTmpIsLeftAlone() throws {
        let temp = try TemporaryDirectory()
        let google = try SampleReports.bytes("mail/google-zip.eml")
        let reply = try SampleReports.bytes("mail/human-reply.eml")
        let yahoo = try SampleReports.bytes("mail/yahoo-gzip-rfc2231.eml")
        try temp.write("Maildir/new/1764640000.M1P1.mx", google)
        try temp.write("Maildir/new/1764640001.M2P2.mx", reply)
        try temp.write("Maildir/cur/1764630000.M0P0.mx:2,S", yahoo)
        try temp.write("Maildir/tmp/1764640002.M3P3.mx", Array(google.prefix(100)))
        let database = try temp.makeDatabase()
        var items: [ImportItem] = []
        let summary = try ImportPipeline(database: database, markMaildirSeen: true)
            .importPaths([temp.path("Maildir")]) { items.append($0) }
        #expect(summary.inputs == 3)
        #expect(summary.failures.isEmpty)
        #expect(items.map(\.outcome).sorted { $0.rawValue < $1.rawValue } == [.skipped, .stored, .stored])
        let new = try FileManager.default.contentsOfDirectory(atPath: temp.path("Maildir/new"))
        let cur = try FileManager.default.contentsOfDirectory(atPath: temp.path("Maildir/cur")).sorted()
        #expect(new.isEmpty)
        #expect(cur == ["1764630000.M0P0.mx:2,S", "1764640000.M1P1.mx:2,S", "1764640001.M2P2.mx:2,S"])
        #expect(try FileManager.default.contentsOfDirectory(atPath: temp.path("Maildir/tmp")).count == 1)
    }

    @Test func messageHeadersAreStoredWithTheInput() throws {
        let temp = try TemporaryDirectory()
        let database = try temp.makeDatabase()
        try ImportPipeline(database: database).importPaths([SampleReports.path("mail/tlsrpt-google.eml")])
        #expect(try database.tableCounts()["message"] == 1)
    }
}

/// `rua import` fed one message on standard input, as an MTA's pipe does.
@Suite struct DeliveryContractTests {
    @Test func aReportMessageIsStoredAndExitsZero() throws {
        let temp = try TemporaryDirectory()
        let message = try SampleReports.bytes("mail/google-zip.eml")
        let result = try RuaExecutable.run(["import", "--db", temp.path("db.sqlite")], input: message)
        #expect(result.status == 0)
        #expect(result.stdout.contains("1 report stored"))
        let again = try RuaExecutable.run(["import", "--db", temp.path("db.sqlite"), "-"], input: message)
        #expect(again.status == 0)
        #expect(again.stdout.contains("1 duplicate"))
    }

    /// The message cannot be kept, whatever the reason: the MTA must keep it and try again (not bounce
    /// it, as 74 would have it do), and `rua` must end cleanly while its reader is still at work.
    @Test func aDatabaseThatCannotBeOpenedExits75() throws {
        let temp = try TemporaryDirectory()
        let file = try temp.write("not-a-directory", "x")
        let message = try SampleReports.bytes("mail/google-zip.eml")
        let result = try RuaExecutable.run(["import", "--db", file + "/db.sqlite"], input: message)
        #expect(result.status == 75)
        #expect(result.stderr.contains("rua: cannot create directory \(file) for the database"))
    }

    /// A message larger than an input held in memory goes to a temporary file while it is read, is
    /// read from there as it streams, is kept whole, and the file is gone afterwards.
    @Test(arguments: [false, true])
    func aMessageLargerThanMemoryHoldsIsSpooledReadAndKeptWhole(inAnMbox: Bool) throws {
        let temp = try TemporaryDirectory()
        let spoolDirectory = temp.path("spool")
        try FileManager.default.createDirectory(atPath: spoolDirectory, withIntermediateDirectories: true)
        let text = String(repeating: "a line of a long letter that is no report at all\n", count: 400_000)
        let sample = String(decoding: try SampleReports.bytes("mail/google-zip.eml"), as: UTF8.self)
        let boundary = try #require(sample.range(of: "boundary=\"")).upperBound
        let name = sample[boundary...].prefix { $0 != "\"" }
        // The letter goes in as the message's first part, before the report.
        let marker = "--\(name)\n"
        let first = try #require(sample.range(of: marker) ?? sample.range(of: "--\(name)\r\n"))
        let message = Array(
            (sample[..<first.upperBound] + "Content-Type: text/plain\n\n" + text + "--\(name)\n"
                + sample[first.upperBound...]).utf8)
        #expect(message.count > 16 << 20)
        var arguments = ["import", "--db", temp.path("db.sqlite")]
        var input: [UInt8]? = message
        if inAnMbox {
            let mbox = Array("From reports@example.net Mon Dec  1 00:00:00 2025\n".utf8) + message
            arguments.append(try temp.write("reports.mbox", mbox))
            input = nil
        }
        let result = try RuaExecutable.run(arguments, environment: ["TMPDIR": spoolDirectory], input: input)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("1 report stored"))
        let database = try ReportDatabase(path: temp.path("db.sqlite"))
        #expect(try database.originalBytes(sha256: SHA256Hasher.digest(message)) == message)
        #expect(try FileManager.default.contentsOfDirectory(atPath: spoolDirectory) == [])
    }

    @Test func standardInputNamedAsAPathIsReadOnceAndWhole() throws {
        let temp = try TemporaryDirectory()
        let message = try SampleReports.bytes("mail/google-zip.eml")
        // A pipe cannot be read twice (sniffed, then read): what was sniffed would be lost.
        let result = try RuaExecutable.run(["import", "--db", temp.path("db.sqlite"), "/dev/stdin"], input: message)
        #expect(result.status == 0)
        #expect(result.stdout.contains("1 report stored"))
        let database = try ReportDatabase(path: temp.path("db.sqlite"))
        #expect(try database.originalBytes(sha256: SHA256Hasher.digest(message)) == message)
    }

    @Test(arguments: ["mail/failure-report-arf.eml", "mail/human-reply.eml", "invalid/not-a-report.txt"])
    func aMessageWithoutAReportIsKeptAndExitsZero(_ sample: String) throws {
        let temp = try TemporaryDirectory()
        let bytes = try SampleReports.bytes(sample)
        let result = try RuaExecutable.run(["import", "--json", "--db", temp.path("db.sqlite")], input: bytes)
        #expect(result.status == 0)
        let database = try ReportDatabase(path: temp.path("db.sqlite"))
        #expect(try database.originalBytes(sha256: SHA256Hasher.digest(bytes)) == bytes)
    }

    @Test func aLockedDatabaseGivesExit75AndNothingWritten() throws {
        let temp = try TemporaryDirectory()
        let path = temp.path("db.sqlite")
        let holder = try ReportDatabase(path: path)
        let message = try SampleReports.bytes("mail/google-zip.eml")
        let result = try holder.holdingWriteLock {
            try RuaExecutable.run(["import", "--db", path, "--busy-timeout", "0.2"], input: message)
        }
        #expect(result.status == 75)
        #expect(try holder.tableCounts()["input"] == 0)
        let retry = try RuaExecutable.run(["import", "--db", path], input: message)
        #expect(retry.status == 0)
        #expect(try holder.tableCounts()["report"] == 1)
    }
}

/// The command line README.md gives for Postfix (pipe transport and alias), procmail and fetchmail.
@Suite struct DocumentedMTACommandTests {
    @Test func theDocumentedPipeCommandIsSilentAndExitsZero() throws {
        let temp = try TemporaryDirectory()
        let readme = try String(
            contentsOf: SampleReports.packageRoot.appendingPathComponent("README.md"), encoding: .utf8)
        let command = "rua import --quiet --db /var/lib/rua/rua.sqlite"
        #expect(readme.contains("argv=/usr/local/bin/\(command)"))
        #expect(readme.contains("\"|/usr/local/bin/\(command)\""))
        #expect(readme.contains("| /usr/local/bin/\(command)"))
        #expect(readme.contains("mda \"/usr/local/bin/\(command)\""))
        for sample in ["mail/google-zip.eml", "mail/failure-report-arf.eml"] {
            let result = try RuaExecutable.run(
                ["import", "--quiet", "--db", temp.path("rua.sqlite")], input: try SampleReports.bytes(sample))
            #expect(result.status == 0, "\(sample)")
            #expect(result.stdout.isEmpty && result.stderr.isEmpty, "\(sample): \(result.stdout)\(result.stderr)")
        }
    }
}
