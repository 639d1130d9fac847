import Foundation
import GRDB
import ReportModel

extension InputSession {
    /// Stores one TLS report with its policies and failure details, or finds it is a duplicate (same
    /// organization, report id, date range and content) and records the item as such. A report with
    /// the identity of a stored one but other content is kept, not counted.
    public func storeTLSReport(
        _ report: TLSReport, part: String?, payloadSHA256: [UInt8], diagnostics: [Diagnostic]
    ) throws -> ReportCommit {
        unconfirmed = true
        let lookup = try statements.tlsReportsWithIdentity.get()
        var lookedAgain = false
        var original: Int64?
        var stored: Int64?
        while stored == nil {
            lookup.bind(1, report.organizationName)
            lookup.bind(2, report.reportID)
            lookup.bind(3, report.begin)
            lookup.bind(4, report.end)
            let same = try lookup.queryIDsAndBlobs()
            if let existing = same.first(where: { $0.1 == payloadSHA256 })?.0 {
                let owner = try statements.tlsReportInput.get()
                owner.bind(1, existing)
                if try reprocessing && owner.queryInt64() == inputID {
                    return .duplicate(of: existing)
                }
                try addItem(
                    part: part, outcome: .duplicate, kind: .tlsrpt, tlsReportID: existing,
                    reason: "report already stored (TLS #\(existing))", diagnostics: [])
                return .duplicate(of: existing)
            }
            original = same.first?.0
            let insert = try statements.insertTLSReport.get()
            insert.bind(1, inputID)
            insert.bind(2, part)
            insert.bind(3, report.organizationName)
            insert.bind(4, report.contactInfo)
            insert.bind(5, report.reportID)
            insert.bind(6, report.begin)
            insert.bind(7, report.end)
            insert.bind(8, blob: payloadSHA256)
            insert.bind(9, report.policies.count)
            insert.bind(10, report.successfulSessions)
            insert.bind(11, report.failedSessions)
            insert.bind(12, original == nil)
            insert.bind(13, original)
            insert.bind(14, importedAt)
            do {
                try statements.savepointIdentity?.execute()
                stored = try insert.insertReturningID()
                try statements.releaseIdentity?.execute()
            } catch let error as StoreError
                where error.violates(["tls_report_identity", "tls_report_counted_identity"]) && !lookedAgain
            {
                // PostgreSQL: another importer committed a report of this identity meanwhile; look again.
                try statements.rollbackIdentity?.execute()
                try statements.releaseIdentity?.execute()
                lookedAgain = true
            }
        }
        guard let reportID = stored else { preconditionFailure("the loop ends with a stored report") }
        var diagnostics = diagnostics
        if let original {
            diagnostics.append(
                Diagnostic(
                    .sameIdentityDifferentContent, .warning,
                    "same organization, report-id and date range as TLS report #\(original) but different content; "
                        + "kept, not counted in summaries"))
        }
        let insertPolicy = try statements.insertTLSPolicy.get()
        let insertFailure = try statements.insertTLSFailure.get()
        for (seq, policy) in report.policies.enumerated() {
            insertPolicy.bind(1, reportID)
            insertPolicy.bind(2, seq)
            insertPolicy.bind(3, policy.type?.text)
            insertPolicy.bind(4, policy.strings.isEmpty ? nil : policy.strings.joined(separator: "\n"))
            insertPolicy.bind(5, policy.domain)
            insertPolicy.bind(6, policy.mxHosts.isEmpty ? nil : policy.mxHosts.joined(separator: " "))
            insertPolicy.bind(7, policy.mode)
            insertPolicy.bind(8, policy.successfulSessions)
            insertPolicy.bind(9, policy.failedSessions)
            let policyID = try insertPolicy.insertReturningID()
            for failure in policy.failures {
                insertFailure.bind(1, policyID)
                insertFailure.bind(2, failure.resultType?.text)
                insertFailure.bind(3, failure.sendingMTAIP)
                insertFailure.bind(4, failure.receivingMXHostname)
                insertFailure.bind(5, failure.receivingMXHelo)
                insertFailure.bind(6, failure.receivingIP)
                insertFailure.bind(7, failure.failedSessions)
                insertFailure.bind(8, failure.additionalInformation)
                insertFailure.bind(9, failure.failureReasonCode)
                try insertFailure.execute()
            }
        }
        try addItem(
            part: part, outcome: .stored, kind: .tlsrpt, tlsReportID: reportID, reason: nil, diagnostics: diagnostics)
        return original.map { .variant(reportID, of: $0) } ?? .stored(reportID)
    }
}
