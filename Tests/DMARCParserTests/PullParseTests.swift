import DMARCParser
import Foundation
import ReportModel
import ReportTestSupport
import Testing

/// A large file is parsed by libxml2 reading it (`parse(reading:)`) rather than being fed chunks. A
/// well-formed document must give exactly the same outcome. libxml2 recovers from broken XML a little
/// differently in its two modes (other messages, an element more or less kept); such a document must
/// still be stored, or rejected, alike.
@Suite struct PullParseTests {
    enum Outcome: Equatable {
        case report(ParsedReport, [ReportRecord])
        case rejected(String)

        /// Whether libxml2 found the XML broken (it recovered, or the report was rejected for it).
        var brokenXML: Bool {
            switch self {
            case .report(let parsed, _): parsed.header.recovered
            case .rejected(let reason): reason.hasPrefix("not well-formed XML") || reason.hasPrefix("XML is broken")
            }
        }

        var stored: Bool {
            if case .report = self { true } else { false }
        }
    }

    static func pushed(_ bytes: [UInt8], chunk: Int) -> Outcome {
        var records: [ReportRecord] = []
        let parser = AggregateReportParser(fileName: nil) { records.append($0) }
        do {
            try bytes.withUnsafeBytes { all in
                var offset = 0
                while offset < all.count {
                    let end = min(offset + chunk, all.count)
                    guard try parser.feed(UnsafeRawBufferPointer(rebasing: all[offset..<end])) else { break }
                    offset = end
                }
            }
            return .report(try parser.finish(), records)
        } catch {
            return .rejected("\(error)")
        }
    }

    /// Pulled in reads of at most `chunk` bytes (libxml2 asks for more; a short read must not matter).
    static func pulled(_ bytes: [UInt8], chunk: Int) -> Outcome {
        var records: [ReportRecord] = []
        let parser = AggregateReportParser(fileName: nil) { records.append($0) }
        var offset = 0
        do {
            let parsed = try parser.parse { buffer in
                let count = min(chunk, buffer.count, bytes.count - offset)
                bytes.withUnsafeBytes {
                    buffer.copyMemory(from: UnsafeRawBufferPointer(rebasing: $0[offset..<offset + count]))
                }
                offset += count
                return count
            }
            return .report(parsed, records)
        } catch {
            return .rejected("\(error)")
        }
    }

    /// Every plain XML sample and corpus report, and broken variants of one.
    static func documents() throws -> [(String, [UInt8])] {
        var documents: [(String, [UInt8])] = []
        for folder in ["dmarc", "invalid", "quirks", "rfc9990", "source"] {
            for file in SampleReports.files(in: folder) where file.hasSuffix(".xml") {
                documents.append((file, try SampleReports.bytes(file)))
            }
        }
        if Corpus.isAvailable {
            for folder in ["dmarc", "rfc9990"] {
                let directory = Corpus.root.appendingPathComponent(folder)
                let names = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
                for name in names.sorted() where name.hasSuffix(".xml") {
                    documents.append((name, Array(try Data(contentsOf: directory.appendingPathComponent(name)))))
                }
            }
        }
        let good = Array(minimalReport().utf8)
        documents += [
            ("cut at half", Array(good.prefix(good.count / 2))),
            ("cut before </feedback>", Array(good.prefix(good.count - 12))),
            ("stray <", Array(minimalReport().replacingOccurrences(of: "<count>", with: "<count><").utf8)),
            ("leading byte-order mark and blank lines", [0xEF, 0xBB, 0xBF, 0x0A, 0x20, 0x0A] + good),
            ("only blank", Array("  \n\n ".utf8)),
            (
                "doctype",
                Array(minimalReport().replacingOccurrences(of: "<feedback>", with: "<!DOCTYPE x><feedback>").utf8)
            ),
        ]
        return documents
    }

    @Test func pullingADocumentGivesTheSameOutcomeAsFeedingIt() throws {
        let documents = try Self.documents()
        #expect(documents.count > 20)
        var broken = 0
        for (name, bytes) in documents {
            let expected = Self.pushed(bytes, chunk: 65_536)
            for chunk in [65_536, 7] {
                let outcome = Self.pulled(bytes, chunk: chunk)
                if expected.brokenXML {
                    #expect(outcome.brokenXML && outcome.stored == expected.stored, "\(name), reads of \(chunk)")
                } else {
                    #expect(outcome == expected, "\(name), reads of \(chunk)")
                }
            }
            if expected.brokenXML { broken += 1 }
        }
        #expect(broken >= 5)
    }

    @Test func anErrorFromReadingStopsTheParseAndIsRethrown() throws {
        struct Broken: Error {}
        let parser = AggregateReportParser(fileName: nil) { _ in }
        let bytes = Array(minimalReport().utf8)
        var calls = 0
        #expect(throws: Broken.self) {
            _ = try parser.parse { buffer in
                calls += 1
                guard calls == 1 else { throw Broken() }
                let count = min(40, buffer.count)
                bytes.withUnsafeBytes { buffer.copyMemory(from: UnsafeRawBufferPointer(rebasing: $0[0..<count])) }
                return count
            }
        }
        #expect(calls == 2)
    }
}

/// Elements with more attributes than any report has are refused before libxml2 checks them pairwise.
@Suite struct AttributeFloodTests {
    let report = SyntheticReport(org: "X", reportID: "1", begin: 1_764_547_200, rows: [.init("192.0.2.1", 1)]).xml

    func flooded(_ count: Int) -> [UInt8] {
        let attributes = (0..<count).map { " a\($0)=\"v\"" }.joined()
        return Array(report.replacingOccurrences(of: "<feedback>", with: "<feedback\(attributes)>").utf8)
    }

    @Test(arguments: [1, 7, 4096])
    func aFloodedElementIsRefusedPushedOrPulled(_ chunk: Int) {
        let expected = PullParseTests.Outcome.rejected(
            "an element has more than 256 attributes; aggregate reports carry none beyond namespace declarations")
        #expect(PullParseTests.pushed(flooded(10_000), chunk: chunk) == expected)
        #expect(PullParseTests.pulled(flooded(10_000), chunk: chunk) == expected)
    }

    @Test(arguments: [3, 64, 4096])
    func aFloodedElementAfterManyCleanChunksIsRefused(_ chunk: Int) {
        let rows = (0..<300).map { SyntheticReport.Row("192.0.2.\($0 % 250 + 1)", 1) }
        let long = SyntheticReport(org: "X", reportID: "1", begin: 1_764_547_200, rows: rows).xml
        let attributes = (0..<1_000).map { " a\($0)=\"v>\"" }.joined()
        let last = long.range(of: "<record>", options: .backwards)!
        let flooded = Array(long.replacingCharacters(in: last, with: "<record\(attributes)>").utf8)
        #expect(!PullParseTests.pushed(flooded, chunk: chunk).stored)
        #expect(!PullParseTests.pulled(flooded, chunk: chunk).stored)
        #expect(
            PullParseTests.pushed(flooded, chunk: chunk)
                == PullParseTests.Outcome.rejected(
                    "an element has more than 256 attributes; aggregate reports carry none beyond namespace declarations"
                ))
    }

    @Test func namespacesCommentsAndCDATAWithEqualsSignsPass() {
        let decorated = report.replacingOccurrences(
            of: "<feedback>",
            with: "<!-- a=b c=d \(String(repeating: "x=1 ", count: 300)) --><feedback xmlns=\"urn:x\" "
                + "xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" xsi:schemaLocation=\"a=b c=d\">"
        ).replacingOccurrences(
            of: "<org_name>X</org_name>",
            with: "<org_name><![CDATA[\(String(repeating: "k=v ", count: 300))]]></org_name>")
        #expect(PullParseTests.pushed(Array(decorated.utf8), chunk: 5).stored)
        #expect(PullParseTests.pulled(Array(decorated.utf8), chunk: 5).stored)
        #expect(PullParseTests.pushed(flooded(256), chunk: 64).stored)
    }
}
