import Foundation
import ReportModel
import ReportPipeline
import ReportStore
import ReportTestSupport
import Testing

/// What an import of a directory reads, and what it passes over with a note.
@Suite struct DirectoryWalkTests {
    let report = (try? SampleReports.bytes("dmarc/yahoo.com!example.org!1764547200!1764633599.xml.gz")) ?? []

    /// A file name in Latin-1, as bytes: not UTF-8.
    static let latin1Name: [UInt8] =
        Array("rapport_soci".utf8) + [0xE9] + Array("t".utf8) + [0xE9] + Array(".xml.gz".utf8)

    func createFile(_ directory: String, named name: [UInt8], _ bytes: [UInt8]) throws {
        let path = Array(directory.utf8) + [0x2F] + name + [0]
        let descriptor = path.withUnsafeBufferPointer { pointer in
            pointer.withMemoryRebound(to: CChar.self) { open($0.baseAddress!, O_WRONLY | O_CREAT | O_TRUNC, 0o644) }
        }
        try #require(descriptor >= 0)
        _ = bytes.withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
        close(descriptor)
    }

    @Test func aFileNamedInLatin1IsImportedFromItsDirectoryAndNamedWithItsBytes() throws {
        let temp = try TemporaryDirectory()
        let folder = temp.path("in")
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        try createFile(folder, named: Self.latin1Name, report)
        let collected = ItemCollector()
        let summary = try ImportPipeline(database: try temp.makeDatabase()).importPaths([folder]) {
            collected.items.append($0)
        }
        #expect(summary.stored == 1)
        #expect(summary.failures.isEmpty)
        let input = try #require(collected.items.first?.input)
        #expect(PathBytes.bytes(input) == Array(folder.utf8) + [0x2F] + Self.latin1Name)
        #expect(PathBytes.displayed(input) == folder + "/rapport_soci\\xE9t\\xE9.xml.gz")
        for format in ["csv", "json"] {
            let export = try RuaExecutable.run([
                "export", "reports", "--format", format, "--db", temp.path("rua.sqlite"),
            ])
            #expect(
                export.stdout.contains("rapport_soci\\xE9t\\xE9.xml.gz")
                    || export.stdout.contains("rapport_soci\\\\xE9t\\\\xE9.xml.gz"), "\(format): \(export.stdout)")
        }
    }

    @Test func aFileNamedInLatin1IsFoundWhenNamedOnTheCommandLine() throws {
        let temp = try TemporaryDirectory()
        let folder = temp.path("in")
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        try createFile(folder, named: Self.latin1Name, report)
        // The shell passes the name's bytes as they are (Foundation's Process would re-encode them).
        let result = try RuaExecutable.run(
            [
                "/bin/sh", "-c",
                "exec \"$0\" import --db \"$1\" \"$(printf '\(folder)/rapport_soci\\351t\\351.xml.gz')\"",
                RuaExecutable.url.path, temp.path("db.sqlite"),
            ], viaShell: true)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("1 report stored"))
    }

    @Test func aFIFOAndLinksOutOfTheTreeArePassedOverWithANote() throws {
        let temp = try TemporaryDirectory()
        let folder = temp.path("in")
        try FileManager.default.createDirectory(atPath: folder + "/sub", withIntermediateDirectories: true)
        try temp.write("in/sub/report.xml.gz", report)
        try temp.write("outside/secret.txt", "root:$6$not-for-your-eyes:19000:0:99999:7:::\n")
        #expect(mkfifo(folder + "/pipe", 0o600) == 0)
        try FileManager.default.createSymbolicLink(
            atPath: folder + "/shadow.xml", withDestinationPath: temp.path("outside/secret.txt"))
        try FileManager.default.createSymbolicLink(
            atPath: folder + "/inside.xml.gz", withDestinationPath: "sub/report.xml.gz")
        try FileManager.default.createSymbolicLink(atPath: folder + "/sub/loop", withDestinationPath: folder)
        let collected = ItemCollector()
        let database = try temp.makeDatabase()
        let summary = try ImportPipeline(database: database).importPaths([folder]) { collected.items.append($0) }
        #expect(summary.failures.isEmpty)
        #expect(
            summary.passedOver.sorted() == [
                "\(folder)/pipe: not a regular file (a FIFO): not read",
                "\(folder)/shadow.xml: a symbolic link that leads out of \(folder): not followed",
            ])
        // The link inside the tree is read (a duplicate of the file it points to); nothing else is kept.
        #expect(collected.items.map(\.input).sorted() == [folder + "/inside.xml.gz", folder + "/sub/report.xml.gz"])
        #expect(try database.quarantined().isEmpty)
    }

    @Test func aRejectedInputsReasonNeverQuotesItsBytes() throws {
        let temp = try TemporaryDirectory()
        let path = try temp.write("secret.xml", "root:$6$not-for-your-eyes:19000:0:99999:7:::\n")
        let collected = ItemCollector()
        _ = try ImportPipeline(database: try temp.makeDatabase()).importPaths([path]) { collected.items.append($0) }
        let reason = try #require(collected.items.first?.reason)
        #expect(!reason.contains("root"))
        #expect(reason.contains("it looks like plain text"))
    }
}

/// Directory entries are read as long as their names, not as long as `dirent`'s name field: a large
/// directory of long names put an entry at the very end of readdir's buffer, and reading 256 bytes
/// from there crashed an import of 90,000 files.
@Suite struct LargeDirectoryTests {
    @Test func everyNameOfALargeDirectoryComesBackWhole() throws {
        let temp = try TemporaryDirectory()
        let folder = temp.path("many")
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        var expected: Set<String> = []
        for index in 0..<3_000 {
            let name =
                "outlook.com!d\(index).example!1756771200!1756857599" + String(repeating: "x", count: index % 190)
            FileManager.default.createFile(atPath: folder + "/" + name, contents: nil)
            expected.insert(name)
        }
        let names = try #require(SystemPath.entries(of: folder))
        #expect(Set(names) == expected)
    }
}
