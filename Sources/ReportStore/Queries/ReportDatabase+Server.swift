import GRDB
import ReportModel

extension ReportDatabase {
    /// The input a stored report came in (a DMARC report, or with `tls` a TLS report).
    public func inputOfReport(id: Int64, tls: Bool) throws -> Int64? {
        try read { db in
            try db.value(
                Int64.self,
                tls ? "SELECT input_id FROM tls_report WHERE id = ?" : "SELECT input_id FROM report WHERE id = ?",
                [id])
        }
    }

    /// A number that grows with every import's commit, the same on every connection: the highest input
    /// and item ids (each the end of its table's b-tree).
    public func dataVersion() throws -> Int64 {
        try read { db in
            try db.value(
                Int64.self,
                "SELECT COALESCE((SELECT MAX(id) FROM input), 0) * 1000003 + COALESCE((SELECT MAX(id) FROM item), 0)"
            ) ?? 0
        }
    }

    /// The end of the last counted DMARC report of each (policy domain, reporter), and of each policy
    /// domain's last TLS report (reporter `nil`).
    public func lastReports() throws -> [(domain: String, reporter: String?, end: Int64)] {
        try read { db in
            try db.rows(
                """
                SELECT policy_domain, reporter, MAX(end_utc) FROM report WHERE counted = 1 GROUP BY 1, 2
                UNION ALL
                SELECT lower(p.policy_domain), NULL, MAX(t.end_utc) FROM tls_report t
                JOIN tls_policy p ON p.tls_report_id = t.id
                WHERE t.counted = 1 AND p.policy_domain IS NOT NULL GROUP BY 1
                """
            ).map { ($0[0], $0[1], $0[2]) }
        }
    }

    /// Per lowercased policy domain and TLS result (`success` or a failure's result type), sessions over
    /// all counted TLS reports.
    public func tlsSessionTotals() throws -> [(domain: String, result: String, sessions: Int64)] {
        try read { db in
            try db.rows(
                """
                SELECT lower(p.policy_domain), 'success', TOTAL(p.successful_sessions)
                FROM tls_report t JOIN tls_policy p ON p.tls_report_id = t.id
                WHERE t.counted = 1 AND p.policy_domain IS NOT NULL GROUP BY 1
                UNION ALL
                SELECT lower(p.policy_domain), COALESCE(f.result_type, 'unknown'), TOTAL(f.failed_sessions)
                FROM tls_report t JOIN tls_policy p ON p.tls_report_id = t.id
                     JOIN tls_failure f ON f.tls_policy_id = p.id
                WHERE t.counted = 1 AND p.policy_domain IS NOT NULL GROUP BY 1, 2
                """
            ).map { ($0[0], $0[1], Int64(($0[2] as Double).rounded())) }
        }
    }
}

extension ReportDatabase {
    /// Report `id` with its records `offset..<offset+limit` (in the order stored) and its diagnostics.
    public func reportDetail(id: Int64, offset: Int, limit: Int) throws -> ReportDetail? {
        try read { db in
            guard
                let row = try db.row(
                    """
                    SELECT r.org_name, r.email, r.report_id, r.policy_domain, r.begin_utc, r.end_utc, r.records,
                           r.messages, r.counted, r.records_pruned_at IS NOT NULL AS pruned, r.first_record,
                           r.last_record
                    FROM report r WHERE r.id = ?
                    """, [id])
            else { return nil }
            var detail = ReportDetail(
                orgName: row["org_name"], email: row["email"], reportID: row["report_id"],
                policyDomain: row["policy_domain"], begin: row["begin_utc"], end: row["end_utc"],
                records: row["records"], messages: row["messages"], counted: row["counted"],
                recordsPruned: row["pruned"], rows: [], diagnostics: [])
            if let first: Int64 = row["first_record"], let last: Int64 = row["last_record"] {
                detail.rows = try db.rows(
                    """
                    SELECT source_ip, count, disposition, dkim, spf, header_from, envelope_from, dkim1_domain,
                           dkim1_result, spf1_domain, spf1_result
                    FROM record WHERE id BETWEEN ? AND ? ORDER BY id LIMIT ? OFFSET ?
                    """, [first, last, limit, offset]
                ).map {
                    ReportDetail.Row(
                        sourceIP: $0[0], count: $0[1], disposition: $0[2], dkim: $0[3], spf: $0[4], headerFrom: $0[5],
                        envelopeFrom: $0[6], dkimDomain: $0[7], dkimResult: $0[8], spfDomain: $0[9], spfResult: $0[10])
                }
            }
            detail.diagnostics = try db.rows(
                "SELECT severity, code, message, occurrences FROM diagnostic WHERE report_id = ? ORDER BY id",
                [id]
            ).map { ($0[0], $0[1], $0[2], $0[3]) }
            return detail
        }
    }
}
