import ReportModel
import ReportStore
import ReportTestSupport
import Testing

@testable import ReportAnalysis

/// Policy readiness judged on generated histories whose answer is known.
@Suite struct ReadinessTests {
    static let now = epoch("2025-11-17T08:00:00Z")

    /// `days` daily reports of each reporter ending the day before `now`, each with `rows`.
    func history(
        days: Int, reporters: [String], policy: String = "none", rows: [SyntheticReport.Row]
    ) -> [SyntheticReport] {
        (0..<days).flatMap { day in
            reporters.map { reporter in
                SyntheticReport(
                    org: reporter, reportID: "\(reporter)-\(day)", begin: epoch("2025-11-16") - Int64(day) * 86_400,
                    policy: policy, rows: rows)
            }
        }
    }

    func assess(_ reports: [SyntheticReport]) throws -> PolicyReadiness {
        let temp = try TemporaryDirectory()
        let db = try database(with: reports, in: temp)
        return try #require(
            try ReadinessAssessor.assess(db, ReportFilter(since: Self.now - 30 * 86_400))["example.com"])
    }

    static let own = SyntheticReport.Row("192.0.2.1", 100)
    /// Nothing authenticates for the domain: spoofing.
    static let spoofer = SyntheticReport.Row("203.0.113.66", 3, dkim: "fail", spf: "fail", signingDomain: "spoof.test")
    /// The domain's own signature broken in transit: a forwarder or list.
    static let forwarder = SyntheticReport.Row("198.51.100.20", 2, dkim: "fail", spf: "fail")
    /// A sender of the domain's that signs with its own domain, not the author's.
    static let esp = SyntheticReport.Row(
        "198.51.100.9", 4, dkim: "pass", spf: "fail", signingDomain: "esp.test", evaluatedDKIM: "fail")

    @Test func aCleanHistoryIsReadyAndSaysWhatQuarantineWouldStop() throws {
        let readiness = try assess(
            history(days: 20, reporters: ["Alpha", "Beta"], rows: [Self.own, Self.spoofer, Self.forwarder]))
        #expect(readiness.verdict == .ready)
        #expect(readiness.days == 20 && readiness.reporters == 2 && readiness.messages == 40 * 105)
        #expect(readiness.spoofing.messages == 40 * 3 && readiness.spoofing.sources == 1)
        #expect(readiness.forwarded.messages == 40 * 2 && readiness.forwarded.sources == 1)
        #expect(readiness.misconfigured.messages == 0 && readiness.blocking.isEmpty)
        #expect(readiness.nextStep?.hasPrefix("p=quarantine; t=y") == true)
        #expect(readiness.subdomainStep?.hasPrefix("np=reject") == true)
    }

    @Test func oneMisconfiguredSenderBlocksUntilFixed() throws {
        let readiness = try assess(
            history(days: 20, reporters: ["Alpha", "Beta"], rows: [Self.own, Self.spoofer, Self.esp]))
        #expect(readiness.verdict == .readyAfterFixes)
        #expect(readiness.blocking.map(\.sourceIP) == ["198.51.100.9"])
        #expect(readiness.blocking.first?.failing == Int64(40 * 4))
        #expect(readiness.blocking.first?.fix?.contains("sign with d=example.com") == true)
        #expect(readiness.misconfigured.messages == 40 * 4)
        // The same sender at a trickle under the tolerance (0.1% of the mail, at least 5) does not block.
        let trickle = SyntheticReport.Row(
            "198.51.100.9", 1, dkim: "pass", spf: "fail", signingDomain: "esp.test", evaluatedDKIM: "fail")
        let tolerated = try assess(
            history(days: 20, reporters: ["Alpha", "Beta"], rows: [SyntheticReport.Row("192.0.2.1", 10_000)])
                + [SyntheticReport(org: "Gamma", reportID: "g", begin: epoch("2025-11-10"), rows: [trickle])])
        #expect(tolerated.verdict == .ready)
        #expect(tolerated.misconfigured.messages == 1 && tolerated.blocking.isEmpty)
    }

    @Test func tooLittleEvidenceSaysWhatIsMissing() throws {
        let readiness = try assess(history(days: 6, reporters: ["Alpha"], rows: [Self.own]))
        #expect(readiness.verdict == .notEnoughEvidence)
        #expect(readiness.shortfall == ["6 days", "1 reporter", "600 messages"])
    }

    @Test func theStagingFollowsRFC9989() throws {
        let quarantine = try assess(
            history(days: 20, reporters: ["Alpha", "Beta"], policy: "quarantine", rows: [Self.own]))
        #expect(quarantine.verdict == .ready)
        #expect(quarantine.nextStep?.hasPrefix("p=reject; t=y") == true)
        let reject = try assess(history(days: 20, reporters: ["Alpha", "Beta"], policy: "reject", rows: [Self.own]))
        #expect(reject.verdict == .enforced)
        #expect(reject.nextStep == nil)
        // Reports of an earlier policy do not count toward how long the current one has held.
        let changed = try assess(
            history(days: 20, reporters: ["Alpha"], policy: "quarantine", rows: [Self.own])
                + history(days: 5, reporters: ["Beta"], policy: "none", rows: [Self.own]).map {
                    var report = $0
                    report.begin -= 25 * 86_400
                    report.end -= 25 * 86_400
                    return report
                })
        #expect(changed.policy?.p == "quarantine")
        #expect(changed.policy?.since == epoch("2025-11-16") - 19 * 86_400)
    }
}
