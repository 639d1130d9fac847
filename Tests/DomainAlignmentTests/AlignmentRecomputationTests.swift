import DomainAlignment
import ReportModel
import Testing

/// A record as reports give it: header_from, envelope_from, DKIM d= results and SPF results.
func record(
    from headerFrom: String?, envelope: String? = nil, dkim: [(String, DKIMResult)] = [],
    spf: [(String?, SPFScope?, SPFResult)] = [], reported: (DMARCResult?, DMARCResult?) = (nil, nil),
    reasons: [OverrideReason] = []
) -> ReportRecord {
    var record = ReportRecord()
    record.sourceIP = "192.0.2.1"
    record.count = 1
    record.headerFrom = headerFrom
    record.envelopeFrom = envelope
    record.dkimResults = dkim.map { DKIMAuthResult(domain: $0.0, selector: "s1", result: .known($0.1)) }
    record.spfResults = spf.map { SPFAuthResult(domain: $0.0, scope: $0.1.map { .known($0) }, result: .known($0.2)) }
    record.dkim = reported.0.map { .known($0) }
    record.spf = reported.1.map { .known($0) }
    record.reasons = reasons
    return record
}

@Suite struct AlignmentRecomputationTests {
    let check = AlignmentCheck()

    @Test func subdomainSignaturesAlignRelaxedButNotStrict() {
        let facts = check.facts(for: record(from: "example.com", dkim: [("mail.example.com", .pass)]))
        #expect(facts.dkimAligned(.relaxed))
        #expect(!facts.dkimAligned(.strict))
        #expect(facts.contains(.dkimPassedAny))
    }

    @Test func failingSignaturesNeverAlign() {
        let facts = check.facts(for: record(from: "example.com", dkim: [("example.com", .fail)]))
        #expect(!facts.dkimAligned(.relaxed))
        #expect(facts.contains(.hasDKIMResults))
        #expect(!facts.contains(.dkimPassedAny))
    }

    @Test func spfUsesMailFromAndHeloOnlyForANullReversePath() {
        let mailFrom = check.facts(for: record(from: "example.com", spf: [("bounce.example.com", .mfrom, .pass)]))
        #expect(mailFrom.spfAligned(.relaxed) && !mailFrom.spfAligned(.strict))
        let helo = check.facts(
            for: record(from: "example.com", envelope: "esp.example.net", spf: [("example.com", .helo, .pass)]))
        #expect(!helo.spfAligned(.relaxed))
        let heloForNull = check.facts(for: record(from: "example.com", spf: [("example.com", .helo, .pass)]))
        #expect(heloForNull.spfAligned(.strict))
        let envelopeOnly = check.facts(
            for: record(from: "example.com", envelope: "example.com", spf: [(nil, nil, .pass)]))
        #expect(envelopeOnly.spfAligned(.strict))
    }

    @Test func aSignatureOfAnotherOrganizationOnTheSameSuffixDoesNotAlign() {
        let facts = check.facts(for: record(from: "shop.example.co.uk", dkim: [("other.co.uk", .pass)]))
        #expect(!facts.dkimAligned(.relaxed))
        #expect(facts.contains(.dkimPassedAny))
    }

    @Test func reportedVerdictsWinAndDisagreementsAreFlagged() {
        let supported = check.facts(for: record(from: "example.com", dkim: [("example.com", .pass)]))
        let agree = RecordVerdict(
            reportedDKIM: .known(.pass), reportedSPF: .known(.fail), facts: supported, adkim: nil, aspf: nil)
        #expect(agree.dmarcPass && agree.disagreement == nil && !agree.derivedFromAuthResults)

        let unsupported = RecordVerdict(
            reportedDKIM: .known(.pass), reportedSPF: .known(.fail), facts: [], adkim: nil, aspf: nil)
        #expect(unsupported.dmarcPass && unsupported.disagreement == .unsupportedPass)
        #expect(!unsupported.computedDMARCPass)

        let contradicting = RecordVerdict(
            reportedDKIM: .known(.fail), reportedSPF: .known(.fail), facts: supported, adkim: nil, aspf: nil)
        #expect(!contradicting.dmarcPass && contradicting.disagreement == .contradictingFail)

        let strictPolicy = RecordVerdict(
            reportedDKIM: .known(.fail), reportedSPF: .known(.fail),
            facts: check.facts(for: record(from: "example.com", dkim: [("mail.example.com", .pass)])), adkim: .strict,
            aspf: nil)
        #expect(strictPolicy.disagreement == nil)
    }

    @Test func missingVerdictsAreFilledFromTheRecomputation() {
        let facts = check.facts(for: record(from: "example.com", dkim: [("example.com", .pass)]))
        let verdict = RecordVerdict(
            reportedDKIM: nil, reportedSPF: .unknown("softfail"), facts: facts, adkim: nil, aspf: nil)
        #expect(verdict.dkimAligned && !verdict.spfAligned && verdict.derivedFromAuthResults)
    }
}

@Suite struct FailureClassifierTests {
    let check = AlignmentCheck()
    let classifier = FailureClassifier()

    func classify(_ value: ReportRecord) -> FailureClassification? {
        let verdict = RecordVerdict(
            reportedDKIM: value.dkim, reportedSPF: value.spf, facts: check.facts(for: value), adkim: nil, aspf: nil)
        return classifier.classify(value, verdict: verdict)
    }

    @Test func fullyAlignedTrafficNeedsNoExplanation() {
        let value = record(
            from: "example.com", dkim: [("example.com", .pass)], spf: [("example.com", .mfrom, .pass)],
            reported: (.pass, .pass))
        #expect(classify(value) == nil)
    }

    @Test func nothingPassingIsUnauthorized() {
        let value = record(
            from: "example.com", dkim: [], spf: [("example.com", .mfrom, .fail)], reported: (.fail, .fail))
        let result = classify(value)
        #expect(result?.failureClass == .unauthorized)
        #expect(result?.evidence.contains("no SPF or DKIM pass for any domain") == true)
    }

    @Test func forwardingThatKeepsTheSignatureIsForwarded() {
        let value = record(
            from: "example.com", dkim: [("example.com", .pass)], spf: [("example.com", .mfrom, .softfail)],
            reported: (.pass, .fail))
        let result = classify(value)
        #expect(result?.failureClass == .forwarded)
        #expect(result?.evidence.contains("SPF softfail for example.com") == true)
    }

    @Test func aMailingListThatBreaksTheSignatureAndResignsIsForwarded() {
        let value = record(
            from: "example.com", dkim: [("example.com", .fail), ("googlegroups.com", .pass)],
            spf: [("googlegroups.com", .mfrom, .pass)], reported: (.fail, .fail))
        #expect(classify(value)?.failureClass == .forwarded)
    }

    @Test func anOverrideReasonOrAnARCPassIsForwarded() {
        let reason = record(
            from: "example.com", spf: [("example.com", .mfrom, .fail)], reported: (.fail, .fail),
            reasons: [OverrideReason(type: .known(.mailingList))])
        #expect(classify(reason)?.failureClass == .forwarded)
        let arc = record(
            from: "example.com", spf: [("example.com", .mfrom, .fail)], reported: (.fail, .fail),
            reasons: [OverrideReason(type: .known(.localPolicy), comment: "arc=pass")])
        let result = classify(arc)
        #expect(result?.failureClass == .forwarded)
        #expect(result?.evidence.first == "reporter's override: local_policy (arc=pass)")
    }

    @Test func anESPSigningWithItsOwnDomainIsMisconfiguredWithTheFix() {
        let value = record(
            from: "example.com", envelope: "bounces.sendgrid.net", dkim: [("sendgrid.net", .pass)],
            spf: [("bounces.sendgrid.net", .mfrom, .pass)], reported: (.fail, .fail))
        let result = classify(value)
        #expect(result?.failureClass == .misconfigured)
        #expect(result?.fix == "sign with d=example.com at this sender (it signs as d=sendgrid.net)")
        #expect(result?.evidence.contains("DKIM d=sendgrid.net pass, not aligned with example.com") == true)
    }

    @Test func aSenderPassingDKIMWithItsOwnReturnPathIsToldToAlignIt() {
        let value = record(
            from: "example.com", dkim: [("example.com", .pass)], spf: [("mail.esp.example.net", .mfrom, .pass)],
            reported: (.pass, .fail))
        let result = classify(value)
        #expect(result?.failureClass == .misconfigured)
        #expect(result?.fix?.hasPrefix("align the return-path: a MAIL FROM domain under example.com") == true)
    }

    @Test func spfOnlySendersAreToldToSign() {
        let value = record(
            from: "example.com", spf: [("example.com", .mfrom, .pass)], reported: (.fail, .pass))
        let result = classify(value)
        #expect(result?.failureClass == .misconfigured)
        #expect(result?.fix?.hasPrefix("add DKIM signing with d=example.com") == true)
    }
}

@Suite struct DomainMemoTests {
    @Test func rememberedNamesGiveTheSameFactsAsFreshLookups() {
        let check = AlignmentCheck()
        let memo = DomainMemo(limit: 3)  // small, so the memo is cleared and refilled along the way
        let records = [
            record(from: "example.com", dkim: [("mail.example.com", .pass)], spf: [("example.com", .mfrom, .pass)]),
            record(from: "Bücher.example", dkim: [("xn--bcher-kva.example", .pass)]),
            record(from: "com", dkim: [("com", .pass)]),
            record(from: nil, dkim: [("example.com", .pass)]),
            record(from: "shop.example.co.uk", dkim: [("other.co.uk", .pass)], spf: [(nil, .mfrom, .pass)]),
            record(from: "example.com", envelope: "bounce.example.com", spf: [(nil, nil, .pass)]),
        ]
        for _ in 0..<3 {
            for value in records {
                #expect(check.facts(for: value, memo: memo) == check.facts(for: value))
            }
        }
    }
}
