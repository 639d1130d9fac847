import ReportModel
import ReportStore
import ReportTestSupport
import Testing

/// An original kept as it is, in one chunk.
extension InputImport {
    var value: Result? {
        if case .imported(let value) = self { return value }
        return nil
    }
}

/// Stores one report with the given records straight through the store's API.
func storeReport(
    _ database: ReportDatabase, input: String, reportID: String = "r-1", records: [ReportRecord],
    payload: [UInt8] = [1],
    inputBytes: [UInt8]? = nil, adkim: AlignmentMode? = nil, aspf: AlignmentMode? = nil
) throws -> ReportCommit {
    var header = AggregateReportHeader()
    header.metadata.orgName = "receiver.example"
    header.metadata.reportID = reportID
    header.metadata.begin = 1_764_547_200
    header.metadata.end = 1_764_633_599
    header.policy.domain = "example.com"
    header.policy.adkim = adkim.map { .known($0) }
    header.policy.aspf = aspf.map { .known($0) }
    let bytes = inputBytes ?? Array(input.utf8)
    let result = try database.importInput(
        name: input, sha256: bytes + [UInt8](repeating: 0, count: 32), original: .bytes(bytes), importedAt: 0
    ) { session in
        let writer = try session.beginReport(part: nil)
        for record in records { try writer.add(record) }
        return try writer.commit(
            header: header, records: records.count, messages: records.reduce(0) { $0 + $1.count },
            payloadSHA256: payload,
            diagnostics: [])
    }
    guard let commit = result.value else { throw StoreError("input already imported") }
    return commit
}

func record(_ ip: String, _ count: Int64, dkim: DMARCResult = .pass, spf: DMARCResult = .pass) -> ReportRecord {
    var record = ReportRecord()
    record.sourceIP = ip
    record.count = count
    record.disposition = .known(.none)
    record.dkim = .known(dkim)
    record.spf = .known(spf)
    record.headerFrom = "example.com"
    record.dkimResults = [
        DKIMAuthResult(domain: "example.com", selector: "s", result: .known(dkim == .pass ? .pass : .fail))
    ]
    record.spfResults = [SPFAuthResult(domain: "example.com", result: .known(spf == .pass ? .pass : .fail))]
    return record
}

let allMigrations = [
    "001-dmarc-aggregate-reports", "002-mail-messages", "003-tls-reports", "004-alignment-and-rollups",
    "005-reverse-dns-cache", "006-first-auth-results-in-record",
    "007-source-rollup-by-period-only", "008-pruning", "009-settings", "010-alerts",
    "011-mailbox-checkpoints",
    "012-dns-history",
    "013-report-selectors",
]

@Suite struct StoreTests {
    @Test func migrationsAreNamedAndAppliedOnce() throws {
        let temp = try TemporaryDirectory()
        let first = try temp.makeDatabase()
        #expect(
            try first.appliedMigrations() == allMigrations)
        first.close()
        let again = try temp.makeDatabase()
        #expect(
            try again.appliedMigrations() == allMigrations)
        #expect(try again.journalMode() == "wal")
    }

    @Test func aStoredReportHasItsRecordsAndAuthResults() throws {
        let temp = try TemporaryDirectory()
        let database = try temp.makeDatabase()
        let commit = try storeReport(
            database, input: "a.xml", records: [record("192.0.2.1", 3), record("2001:db8::1", 4)])
        guard case .stored = commit else {
            Issue.record("expected stored, got \(commit)")
            return
        }
        let counts = try database.tableCounts()
        #expect(counts["report"] == 1)
        #expect(counts["record"] == 2)
        #expect(counts["dkim_result"] == 2)
        #expect(counts["spf_result"] == 2)
        #expect(counts["policy_published"] == 1)
        #expect(try database.reports(ReportFilter()).map(\.messages) == [7])
    }

    @Test func theSameReportTwiceIsADuplicateAndAddsNothing() throws {
        let temp = try TemporaryDirectory()
        let database = try temp.makeDatabase()
        let first = try storeReport(database, input: "a.xml", records: [record("192.0.2.1", 3)])
        let second = try storeReport(database, input: "a.xml.gz", records: [record("192.0.2.1", 3)])
        guard case .stored(let id) = first else {
            Issue.record("expected stored")
            return
        }
        #expect(second == .duplicate(of: id))
        #expect(try database.tableCounts()["record"] == 1)
        #expect(try database.summary(ReportFilter()).first?.messages == 3)
    }

    @Test func sameIdentityWithOtherContentIsKeptButNotCounted() throws {
        let temp = try TemporaryDirectory()
        let database = try temp.makeDatabase()
        let first = try storeReport(database, input: "a.xml", records: [record("192.0.2.1", 3)], payload: [1])
        let second = try storeReport(database, input: "b.xml", records: [record("192.0.2.1", 5)], payload: [2])
        guard case .stored(let original) = first, case .variant(_, of: let of) = second else {
            Issue.record("expected stored then variant, got \(first), \(second)")
            return
        }
        #expect(of == original)
        let reports = try database.reports(ReportFilter())
        #expect(reports.map(\.counted) == [true, false])
        #expect(try database.summary(ReportFilter()).first?.messages == 3)
    }

    @Test func aReportThatIsDiscardedLeavesNoRowsButTheInputIsKept() throws {
        let temp = try TemporaryDirectory()
        let database = try temp.makeDatabase()
        let bytes = Array("<feedback>broken".utf8)
        _ = try database.importInput(name: "bad.xml", sha256: [9], original: .bytes(bytes), importedAt: 0) {
            session in
            let writer = try session.beginReport(part: nil)
            try writer.add(record("192.0.2.1", 3))
            try writer.add(record("192.0.2.2", 3))
            try writer.discard()
            try session.addItem(part: nil, outcome: .rejected, kind: .dmarc, reason: "record 3: <count> is missing")
        }
        let counts = try database.tableCounts()
        #expect(counts["report"] == 0)
        #expect(counts["record"] == 0)
        #expect(counts["dkim_result"] == 0)
        #expect(counts["input"] == 1)
        #expect(try database.original(sha256: [9])?.chunks == [bytes])
        #expect(try database.rejectedItems().map(\.reason) == ["record 3: <count> is missing"])
    }

    @Test func anInputWithKnownContentIsNotStoredAgain() throws {
        let temp = try TemporaryDirectory()
        let database = try temp.makeDatabase()
        _ = try storeReport(database, input: "a.xml", records: [record("192.0.2.1", 3)])
        var ran = false
        let again = try database.importInput(
            name: "copy-of-a.xml", sha256: Array("a.xml".utf8) + [UInt8](repeating: 0, count: 32),
            original: .bytes([]), importedAt: 0
        ) { _ in ran = true }
        guard case .alreadyImported(let items) = again else {
            Issue.record("expected the input to be known")
            return
        }
        #expect(!ran)
        #expect(items.map(\.outcome) == [.duplicate])
        #expect(items.first?.input == "copy-of-a.xml")
    }

    @Test func anErrorInsideAnInputRollsBackTheWholeInput() throws {
        struct Boom: Error {}
        let temp = try TemporaryDirectory()
        let database = try temp.makeDatabase()
        #expect(throws: Boom.self) {
            _ = try database.importInput(name: "x.xml", sha256: [7], original: .bytes([1, 2, 3]), importedAt: 0) {
                session in
                let writer = try session.beginReport(part: nil)
                try writer.add(record("192.0.2.1", 3))
                throw Boom()
            }
        }
        let counts = try database.tableCounts()
        #expect(counts.values.allSatisfy { $0 == 0 })
        #expect(try database.knownInput(sha256: [7], name: "x.xml") == nil)
    }

    @Test func summaryWeighsByMessageCount() throws {
        let temp = try TemporaryDirectory()
        let database = try temp.makeDatabase()
        _ = try storeReport(
            database, input: "a.xml",
            records: [
                record("192.0.2.1", 90),
                record("192.0.2.2", 6, dkim: .fail),
                record("192.0.2.3", 4, dkim: .fail, spf: .fail),
            ])
        let summary = try #require(try database.summary(ReportFilter()).first)
        #expect(summary.messages == 100)
        #expect(summary.dmarcPass == 96)
        #expect(summary.dkimAligned == 90)
        #expect(summary.spfAligned == 96)
        #expect(summary.reports == 1)
        #expect(summary.reporters == 1)
        #expect(
            summary.topFailingSources == [
                FailingSource(sourceIP: "192.0.2.3", messages: 4, headerFrom: ["example.com"])
            ])
    }

    @Test func filtersSelectByDomainAndBegin() throws {
        let temp = try TemporaryDirectory()
        let database = try temp.makeDatabase()
        _ = try storeReport(database, input: "a.xml", records: [record("192.0.2.1", 1)])
        #expect(try database.reports(ReportFilter(domain: "EXAMPLE.com")).count == 1)
        #expect(try database.reports(ReportFilter(domain: "example.org")).isEmpty)
        #expect(try database.reports(ReportFilter(since: 1_764_547_200, until: 1_764_547_200)).count == 1)
        #expect(try database.reports(ReportFilter(since: 1_764_547_201)).isEmpty)
    }
}
