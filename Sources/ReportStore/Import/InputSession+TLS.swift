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
        let same = try Row.fetchAll(
            db.cachedStatement(
                sql: """
                    SELECT id, payload_sha256 FROM tls_report
                    WHERE organization_name IS ? AND report_id = ? AND begin_utc = ? AND end_utc = ? ORDER BY id
                    """),
            arguments: [report.organizationName, report.reportID, report.begin, report.end])
        if let existing = same.first(where: { ($0["payload_sha256"] as Data) == Data(payloadSHA256) }) {
            let id: Int64 = existing["id"]
            if reprocessing,
                try Int64.fetchOne(db, sql: "SELECT input_id FROM tls_report WHERE id = ?", arguments: [id]) == inputID
            {
                return .duplicate(of: id)
            }
            try addItem(
                part: part, outcome: .duplicate, kind: .tlsrpt, tlsReportID: id,
                reason: "report already stored (TLS #\(id))", diagnostics: [])
            return .duplicate(of: id)
        }
        let original: Int64? = same.first?["id"]
        var diagnostics = diagnostics
        if let original {
            diagnostics.append(
                Diagnostic(
                    .sameIdentityDifferentContent, .warning,
                    "same organization, report-id and date range as TLS report #\(original) but different content; "
                        + "kept, not counted in summaries"))
        }
        try db.run(
            """
            INSERT INTO tls_report (input_id, part, organization_name, contact_info, report_id, begin_utc, end_utc,
                                    payload_sha256, policies, successful_sessions, failed_sessions, counted,
                                    variant_of, imported_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """,
            [
                inputID, part, report.organizationName, report.contactInfo, report.reportID, report.begin, report.end,
                Data(payloadSHA256), report.policies.count, report.successfulSessions, report.failedSessions,
                original == nil, original, importedAt,
            ])
        let reportID = db.lastInsertedRowID
        for (seq, policy) in report.policies.enumerated() {
            try db.run(
                """
                INSERT INTO tls_policy (tls_report_id, seq, policy_type, policy_string, policy_domain, mx_hosts, mode,
                                        successful_sessions, failed_sessions)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                """,
                [
                    reportID, seq, policy.type?.text,
                    policy.strings.isEmpty ? nil : policy.strings.joined(separator: "\n"),
                    policy.domain, policy.mxHosts.isEmpty ? nil : policy.mxHosts.joined(separator: " "), policy.mode,
                    policy.successfulSessions, policy.failedSessions,
                ])
            let policyID = db.lastInsertedRowID
            for failure in policy.failures {
                try db.run(
                    """
                    INSERT INTO tls_failure (tls_policy_id, result_type, sending_mta_ip, receiving_mx_hostname,
                                             receiving_mx_helo, receiving_ip, failed_sessions, additional_information,
                                             failure_reason_code)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """,
                    [
                        policyID, failure.resultType?.text, failure.sendingMTAIP, failure.receivingMXHostname,
                        failure.receivingMXHelo, failure.receivingIP, failure.failedSessions,
                        failure.additionalInformation, failure.failureReasonCode,
                    ])
            }
        }
        try addItem(
            part: part, outcome: .stored, kind: .tlsrpt, tlsReportID: reportID, reason: nil, diagnostics: diagnostics)
        return original.map { .variant(reportID, of: $0) } ?? .stored(reportID)
    }
}
