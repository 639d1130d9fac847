import ReportModel

/// Classifies records that are not aligned on both SPF and DKIM. Pure: the record and its verdict in,
/// the classification out.
public struct FailureClassifier: Sendable {
    private let check: AlignmentCheck

    public init(check: AlignmentCheck = AlignmentCheck()) {
        self.check = check
    }

    /// Nil for a record aligned on both DKIM and SPF (nothing to explain).
    public func classify(_ record: ReportRecord, verdict: RecordVerdict) -> FailureClassification? {
        guard !(verdict.dkimAligned && verdict.spfAligned) else { return nil }
        let author = OrganizationalDomains.normalize(record.headerFrom) ?? ""
        let authorOrg = check.organizationalDomain(of: author) ?? author
        func own(_ domain: String?) -> Bool { check.aligned(domain, author, mode: .relaxed) }

        let dkimPassing = record.dkimResults.filter { $0.result == .known(.pass) }.compactMap { result in
            OrganizationalDomains.normalize(result.domain)
        }
        let foreignSignatures = dkimPassing.filter { !own($0) }
        let ownBrokenSignatures = record.dkimResults.filter { $0.result != .known(.pass) && own($0.domain) }
        let mailFrom = record.spfResults.filter { $0.scope != .known(.helo) }
        let spfForeignPass = mailFrom.filter { $0.result == .known(.pass) && !own($0.domain ?? record.envelopeFrom) }
            .compactMap { OrganizationalDomains.normalize($0.domain ?? record.envelopeFrom) }
        let spfOwnFailure = mailFrom.first { $0.result != .known(.pass) && own($0.domain ?? record.envelopeFrom) }
        let forwardingReason = record.reasons.first { reason in
            switch reason.type?.word {
            case .forwarded, .trustedForwarder, .mailingList: true
            case .localPolicy, .other: (reason.comment ?? "").lowercased().contains("arc=pass")
            default: false
            }
        }

        var evidence: [String] = []
        if let reason = forwardingReason {
            evidence.append(
                "reporter's override: \(reason.type?.text ?? "")" + (reason.comment.map { " (\($0))" } ?? ""))
        }
        if verdict.dkimAligned {
            evidence.append("DKIM aligned pass" + (dkimPassing.first(where: own).map { " (d=\($0))" } ?? ""))
        }
        if verdict.spfAligned { evidence.append("SPF aligned pass") }
        for signature in ownBrokenSignatures.prefix(2) {
            evidence.append("DKIM d=\(signature.domain ?? "") \(signature.result?.text ?? "no result")")
        }
        for domain in Set(foreignSignatures).sorted().prefix(3) {
            evidence.append("DKIM d=\(domain) pass, not aligned with \(author)")
        }
        for domain in Set(spfForeignPass).sorted().prefix(3) {
            evidence.append("SPF pass for \(domain), not aligned with \(author)")
        }
        if let failure = spfOwnFailure {
            evidence.append(
                "SPF \(failure.result?.text ?? "no result") for \(failure.domain ?? record.envelopeFrom ?? "")")
        }
        if dkimPassing.isEmpty && spfForeignPass.isEmpty && !verdict.dmarcPass && forwardingReason == nil {
            evidence.append("no SPF or DKIM pass for any domain")
        }

        let signWithOwnDomain = foreignSignatures.first.map {
            "sign with d=\(authorOrg) at this sender (it signs as d=\($0))"
        }
        let alignReturnPath = spfForeignPass.first.map {
            "align the return-path: a MAIL FROM domain under \(authorOrg) at this sender (now \($0))"
        }
        let failureClass: FailureClass
        var fix: String?
        if forwardingReason != nil {
            failureClass = .forwarded
        } else if verdict.dkimAligned {
            // DKIM survived: a forwarder keeps the signature but not SPF. A third party's own
            // return-path with no failure for the domain's own SPF is a setup to finish.
            if let alignReturnPath, spfOwnFailure == nil {
                failureClass = .misconfigured
                fix = alignReturnPath
            } else {
                failureClass = .forwarded
            }
        } else if verdict.spfAligned {
            failureClass = .misconfigured
            fix =
                signWithOwnDomain
                ?? (ownBrokenSignatures.isEmpty
                    ? "add DKIM signing with d=\(authorOrg) for this sender (SPF alone breaks when mail is forwarded)"
                    : "DKIM for d=\(ownBrokenSignatures[0].domain ?? authorOrg) fails: check the selector's public key")
        } else if !ownBrokenSignatures.isEmpty && !dkimPassing.isEmpty {
            // The domain's own signature broken by changes in transit, and the list's signature on top.
            failureClass = .forwarded
        } else if !foreignSignatures.isEmpty || !spfForeignPass.isEmpty {
            failureClass = .misconfigured
            fix = signWithOwnDomain ?? alignReturnPath
        } else if !ownBrokenSignatures.isEmpty {
            failureClass = .forwarded
        } else {
            failureClass = .unauthorized
        }
        return FailureClassification(failureClass: failureClass, evidence: evidence, fix: fix)
    }
}
