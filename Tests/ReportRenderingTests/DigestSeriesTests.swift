import Foundation
import ReportModel
import ReportRendering
import Testing

/// The digest's daily series is in whole messages, and rounding keeps the totals exact.
@Suite struct DigestSeriesTests {
    @Test func apportionedDaysAreWholeMessagesThatAddUpToTheirTotals() throws {
        let period = ReportPeriod(start: 1_764_547_200, end: 1_764_547_200 + 3 * 86_400, timeZone: .utc)
        var digest = Digest(period: period, previousPeriod: period.previous)
        var domain = Digest.Domain(policyDomain: "example.com")
        // A report of 10 messages (7 passing) over three days, and one of 5 on the first day alone.
        domain.days = period.dayStarts.enumerated().map { index, start in
            Digest.Day(
                start: start, label: period.dayLabel(start), messages: 10.0 / 3 + (index == 0 ? 5 : 0),
                dmarcPass: 7.0 / 3 + (index == 0 ? 5 : 0))
        }
        domain.reports = 2
        digest.domains = [domain]
        let context = OutputContext(command: "digest", generatedAt: 0, period: nil, periodLabel: "")
        let csv = DigestRenderer.render(digest, format: .csv, context: context)
        let rows = csv.split(separator: "\r\n").dropFirst().map {
            $0.split(separator: ",", omittingEmptySubsequences: false)
        }
        let messages = rows.map { Int($0[2]) }
        let pass = rows.map { Int($0[3]) }
        let fail = rows.map { Int($0[4]) }
        #expect(messages.allSatisfy { $0 != nil }, "whole numbers: \(csv)")
        #expect(pass.compactMap { $0 }.reduce(0, +) == 12)
        #expect(fail.compactMap { $0 }.reduce(0, +) == 3)
        #expect(zip(messages, zip(pass, fail)).allSatisfy { $0 == ($1.0 ?? 0) + ($1.1 ?? 0) })
        // 7.33, 2.33, 2.33 passing: the unit left over goes to the earliest of the equal fractions.
        #expect(pass == [8, 2, 2])
    }
}
