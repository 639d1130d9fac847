import Foundation
import ReportModel
import ReportPipeline
import ReportStore
import ReportTestSupport
import Testing

/// Every DMARC file of ../shared/corpus imported and compared with truth.json.
@Suite struct CorpusTests {
    @Test func everyCorpusReportMatchesTheTruth() throws {
        guard Corpus.isAvailable else {
            print(
                "CorpusTests: ../shared/corpus is absent (looked in \(Corpus.root.path)); skipping the corpus comparison"
            )
            return
        }
        let truth = try Corpus.truth()
        let temp = try TemporaryDirectory()
        let database = try temp.makeDatabase()
        let pipeline = ImportPipeline(database: database)
        var checked = 0
        for (file, value) in truth.sorted(by: { $0.key < $1.key })
        where file.hasPrefix("dmarc/") || file.hasPrefix("rfc9990/") {
            guard let expected = value as? [String: Any] else { continue }
            let collected = ItemCollector()
            let summary = pipeline.importPaths([Corpus.root.appendingPathComponent(file).path]) {
                collected.items.append($0)
            }
            let items = collected.items
            #expect(summary.failures.isEmpty, "\(file): \(summary.failures)")
            if let members = expected["members"] as? [[String: Any]] {
                for member in members {
                    let name = member["member"] as? String ?? ""
                    let item = items.first { $0.part == name }
                    check(item, against: member, label: "\(file) › \(name)", junkMaySkip: true)
                }
            } else if file.hasSuffix(".zip") {
                check(items.first { $0.kind == .dmarc }, against: expected, label: file, junkMaySkip: false)
            } else {
                #expect(items.count == 1, "\(file): \(items)")
                check(items.first, against: expected, label: file, junkMaySkip: false)
            }
            checked += 1
        }
        #expect(checked >= 70)
    }

    /// A truth entry with an `error`, or without a usable date range or counts, must be rejected with a
    /// reason (member junk may be skipped instead); any other must be stored (or be a duplicate of an
    /// earlier corpus file) with exactly the truth's values.
    func check(_ item: ImportItem?, against truth: [String: Any], label: String, junkMaySkip: Bool) {
        guard let item else {
            Issue.record("\(label): no item")
            return
        }
        let unusable =
            truth["error"] != nil || !(truth["begin"] is Int) || !(truth["end"] is Int)
            || truth["count_problems"] != nil
        if unusable {
            let allowed: Set<ImportItem.Outcome> = junkMaySkip ? [.rejected, .skipped] : [.rejected]
            #expect(allowed.contains(item.outcome), "\(label): \(item.outcome) \(item.reason ?? "")")
            #expect(!(item.reason ?? "").isEmpty, "\(label): no reason")
            return
        }
        #expect(item.outcome == .stored || item.outcome == .duplicate, "\(label): \(item.outcome) \(item.reason ?? "")")
        #expect(item.orgName == truth["org_name"] as? String, "\(label) org_name")
        #expect(item.reportID == truth["report_id"] as? String, "\(label) report_id")
        #expect(item.policyDomain == truth["policy_domain"] as? String, "\(label) policy_domain")
        #expect(item.begin == (truth["begin"] as? Int).map(Int64.init), "\(label) begin")
        #expect(item.end == (truth["end"] as? Int).map(Int64.init), "\(label) end")
        #expect(item.records == truth["records"] as? Int, "\(label) records")
        #expect(item.messages == (truth["count_sum"] as? Int).map(Int64.init), "\(label) count sum")
    }
}

/// Gathers the items an import reports.
final class ItemCollector: @unchecked Sendable {
    // @unchecked: items arrive on the importing thread, and are read after the import returns.
    var items: [ImportItem] = []
}
