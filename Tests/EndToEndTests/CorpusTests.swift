import Foundation
import ReportModel
import ReportPipeline
import ReportStore
import ReportTestSupport
import Testing

/// Every DMARC file of ../shared/corpus imported and compared with truth.json.
@Suite struct CorpusTests {
    @Test(.enabled(if: Corpus.isAvailable, Corpus.missing), arguments: TestEngine.available)
    func everyCorpusReportMatchesTheTruth(_ engine: TestEngine) throws {
        let truth = try Corpus.truth()
        let temp = try TemporaryDirectory()
        let store = try TestDatabase(engine, in: temp)
        let database = try store.open()
        let pipeline = ImportPipeline(database: database)
        var checked = 0
        var stored: [ImportItem] = []
        for (file, value) in truth.sorted(by: { $0.key < $1.key })
        where file.hasPrefix("dmarc/") || file.hasPrefix("rfc9990/") {
            guard let expected = value as? [String: Any] else { continue }
            let collected = ItemCollector()
            let summary = try pipeline.importPaths([Corpus.root.appendingPathComponent(file).path]) {
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
            stored += items.filter { $0.outcome == .stored && $0.kind == .dmarc }
        }
        #expect(checked >= 70)
        // What the store gives back is what was parsed: every stored report, with its records and messages.
        let reports = try database.reports(ReportFilter()).filter { $0.kind == .dmarc }
        #expect(reports.count == stored.count)
        let read = reports.map { "\($0.reportID) \($0.policyDomain) \($0.records) \($0.messages)" }.sorted()
        let parsed = stored.map {
            "\($0.reportID ?? "") \($0.policyDomain ?? "") \($0.records ?? 0) \($0.messages ?? 0)"
        }.sorted()
        #expect(read == parsed)
        var records = 0
        try database.forEachRecord(ReportFilter(), includeVariants: true) { _, _ in records += 1 }
        #expect(records == reports.reduce(0) { $0 + $1.records })
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

/// Every e-mail of ../shared/corpus/email (the mbox included) imported and compared with truth.json:
/// aggregate report attachments stored with the truth's values, TLS reports recognised, failure
/// reports and other mail kept with a reason.
@Suite struct CorpusMailTests {
    @Test(.enabled(if: Corpus.isAvailable, Corpus.missing), arguments: TestEngine.available)
    func everyCorpusMessageMatchesTheTruth(_ engine: TestEngine) throws {
        let truth = try Corpus.truth()
        var checked = 0
        for (file, value) in truth.sorted(by: { $0.key < $1.key }) where file.hasPrefix("email/") {
            guard let expected = value as? [String: Any] else { continue }
            let temp = try TemporaryDirectory()
            let collected = ItemCollector()
            let store = try TestDatabase(engine, in: temp)
            let summary = try ImportPipeline(database: try store.open())
                .importPaths([Corpus.root.appendingPathComponent(file).path]) { collected.items.append($0) }
            #expect(summary.failures.isEmpty, "\(file): \(summary.failures)")
            #expect(summary.rejected == 0, "\(file): \(collected.items.filter { $0.outcome == .rejected })")
            if let messages = expected["message_truths"] as? [[String: Any]] {
                for (index, message) in messages.enumerated() {
                    let prefix = "message \(index + 1)"
                    let items = collected.items.filter { $0.part == prefix || ($0.part ?? "").hasPrefix(prefix + " ›") }
                    check(items, against: message, label: "\(file) › \(prefix)")
                }
            } else {
                check(collected.items, against: expected, label: file)
            }
            checked += 1
        }
        #expect(checked == 12)
    }

    func check(_ items: [ImportItem], against message: [String: Any], label: String) {
        let attachments = message["attachments"] as? [[String: Any]] ?? []
        let aggregate = attachments.filter { ($0["report"] as? String) == "dmarc aggregate" }
        let tls = attachments.filter { ($0["report"] as? String) == "tlsrpt" }
        for attachment in aggregate {
            guard let truth = attachment["truth"] as? [String: Any] else { continue }
            let item = items.first { $0.reportID == truth["report_id"] as? String && $0.kind == .dmarc }
            #expect(item?.outcome == .stored || item?.outcome == .duplicate, "\(label): \(items)")
            #expect(item?.orgName == truth["org_name"] as? String, "\(label) org_name")
            #expect(item?.policyDomain == truth["policy_domain"] as? String, "\(label) policy_domain")
            #expect(item?.begin == (truth["begin"] as? Int).map(Int64.init), "\(label) begin")
            #expect(item?.end == (truth["end"] as? Int).map(Int64.init), "\(label) end")
            #expect(item?.records == truth["records"] as? Int, "\(label) records")
            #expect(item?.messages == (truth["count_sum"] as? Int).map(Int64.init), "\(label) count sum")
        }
        #expect(items.filter { $0.kind == .tlsrpt }.count == tls.count, "\(label): TLS reports")
        for attachment in tls {
            guard let truth = attachment["truth"] as? [String: Any] else { continue }
            checkTLS(
                items.first { $0.kind == .tlsrpt && $0.reportID == truth["report_id"] as? String }, against: truth,
                label: label)
        }
        if aggregate.isEmpty && tls.isEmpty {
            #expect(items.count == 1, "\(label): \(items)")
            #expect(items.first?.outcome == .skipped, "\(label)")
            let reason = items.first?.reason ?? ""
            #expect(reason.contains("report"), "\(label): \(reason)")
        }
    }
}

/// Every TLS report of ../shared/corpus/tlsrpt imported and compared with truth.json.
@Suite struct CorpusTLSTests {
    @Test(.enabled(if: Corpus.isAvailable, Corpus.missing), arguments: TestEngine.available)
    func everyCorpusTLSReportMatchesTheTruth(_ engine: TestEngine) throws {
        let truth = try Corpus.truth()
        let temp = try TemporaryDirectory()
        let store = try TestDatabase(engine, in: temp)
        let pipeline = ImportPipeline(database: try store.open())
        var checked = 0
        for (file, value) in truth.sorted(by: { $0.key < $1.key }) where file.hasPrefix("tlsrpt/") {
            guard let expected = value as? [String: Any] else { continue }
            let collected = ItemCollector()
            let summary = try pipeline.importPaths([Corpus.root.appendingPathComponent(file).path]) {
                collected.items.append($0)
            }
            #expect(summary.failures.isEmpty, "\(file)")
            #expect(collected.items.count == 1, "\(file): \(collected.items)")
            checkTLS(collected.items.first, against: expected, label: file)
            checked += 1
        }
        #expect(checked == 13)
    }
}

/// A TLS item stored (or a duplicate) with exactly the truth's organization, report id, date range,
/// number of policies and sessions.
func checkTLS(_ item: ImportItem?, against truth: [String: Any], label: String) {
    guard let item else {
        Issue.record("\(label): no item")
        return
    }
    #expect(item.kind == .tlsrpt, "\(label)")
    #expect(item.outcome == .stored || item.outcome == .duplicate, "\(label): \(item.outcome) \(item.reason ?? "")")
    #expect(item.orgName == truth["organization_name"] as? String, "\(label) organization")
    #expect(item.reportID == truth["report_id"] as? String, "\(label) report id")
    let start = (truth["start_datetime"] as? String).flatMap { try? DateArgument.parse($0, now: 0) }
    let end = (truth["end_datetime"] as? String).flatMap { try? DateArgument.parse($0, now: 0) }
    #expect(item.begin == start, "\(label) start")
    #expect(item.end == end, "\(label) end")
    #expect(item.policies == truth["policies"] as? Int, "\(label) policies")
    #expect(item.successfulSessions == (truth["total_successful_session_count"] as? Int).map(Int64.init), "\(label) ok")
    #expect(item.failedSessions == (truth["total_failure_session_count"] as? Int).map(Int64.init), "\(label) failed")
}
