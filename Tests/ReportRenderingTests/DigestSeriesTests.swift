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

/// The digest leads with what needs attention and details only the domains that have something to say.
@Suite struct DigestLayoutTests {
    func digest(domains: Int, flagged: Set<Int>) -> Digest {
        let period = ReportPeriod(start: 1_764_547_200, end: 1_764_547_200 + 7 * 86_400, timeZone: .utc)
        var digest = Digest(period: period, previousPeriod: period.previous)
        digest.domains = (0..<domains).map { index in
            var domain = Digest.Domain(policyDomain: "d\(index).example")
            domain.reports = 1
            domain.totals.messages = 100
            domain.totals.dmarcPass = 100
            domain.days = period.dayStarts.map {
                .init(start: $0, label: period.dayLabel($0), messages: 0, dmarcPass: 0)
            }
            return domain
        }
        digest.advice = flagged.sorted().map { index in
            .init(
                code: "new_failing_source", severity: .warning, policyDomain: "d\(index).example",
                sourceIP: "192.0.2.\(index)", numbers: [("messages", 5)], weight: 5, text: "new source 192.0.2.\(index)"
            )
        }
        return digest
    }

    func render(_ digest: Digest, _ detail: DigestDetail) -> String {
        DigestRenderer.render(
            digest, format: .text,
            context: OutputContext(command: "digest", generatedAt: 0, period: nil, periodLabel: ""),
            detail: detail)
    }

    @Test func onlyDomainsNeedingAttentionAreDetailedByDefault() {
        let many = digest(domains: 500, flagged: [3, 250])
        let text = render(many, .auto)
        #expect(text.contains("Needs attention"))
        #expect(text.range(of: "Needs attention")!.lowerBound < text.range(of: "Domains")!.lowerBound)
        #expect(text.contains("d3.example per day") && text.contains("d250.example per day"))
        #expect(!text.contains("d4.example per day"))
        // The table lists the domains needing attention first, fifty in all, and sums up the rest.
        #expect(text.range(of: "d250.example ")!.lowerBound < text.range(of: "d0.example ")!.lowerBound)
        #expect(text.contains("… and 450 more domains with 45,000 messages"))
        #expect(text.split(separator: "\n").count < 200)
        #expect((0..<500).allSatisfy { render(many, .all).contains("d\($0).example ") })
        #expect(render(many, .none).contains("per day") == false)
        #expect(render(digest(domains: 3, flagged: []), .all).components(separatedBy: " per day").count == 4)
        // One domain reads as before: detailed though nothing needs attention.
        #expect(render(digest(domains: 1, flagged: []), .auto).contains("d0.example per day"))
    }
}

extension DigestLayoutTests {
    @Test func theHTMLOfFiveHundredDomainsStaysUnderGmailsClippingSize() {
        let html = DigestRenderer.render(
            digest(domains: 500, flagged: Set(0..<40)), format: .html,
            context: OutputContext(command: "digest", generatedAt: 0, period: nil, periodLabel: ""))
        // Gmail clips a message's HTML above about 102 KB.
        #expect(html.utf8.count < 90_000, "\(html.utf8.count) bytes")
        #expect(!html.contains("<svg") && !html.contains("data:"))
        #expect(html.components(separatedBy: " per day: green DMARC pass").count - 1 == 5)
    }
}
