import GRDB
import ReportModel

extension ReportDatabase {
    /// The input a stored report came in (a DMARC report, or with `tls` a TLS report).
    public func inputOfReport(id: Int64, tls: Bool) throws -> Int64? {
        try read { db in
            try Int64.fetchOne(
                db,
                sql: tls ? "SELECT input_id FROM tls_report WHERE id = ?" : "SELECT input_id FROM report WHERE id = ?",
                arguments: [id])
        }
    }

    /// SQLite's count of commits by other connections: unchanged means what was read is still current.
    public func dataVersion() throws -> Int64 {
        try read { db in try Int64.fetchOne(db, sql: "PRAGMA data_version") ?? 0 }
    }

    /// The end of the last counted DMARC report of each (policy domain, reporter), and of each policy
    /// domain's last TLS report (reporter `nil`).
    public func lastReports() throws -> [(domain: String, reporter: String?, end: Int64)] {
        try read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT policy_domain, reporter, MAX(end_utc) FROM report WHERE counted = 1 GROUP BY 1, 2
                    UNION ALL
                    SELECT lower(p.policy_domain), NULL, MAX(t.end_utc) FROM tls_report t
                    JOIN tls_policy p ON p.tls_report_id = t.id
                    WHERE t.counted = 1 AND p.policy_domain IS NOT NULL GROUP BY 1
                    """
            ).map { ($0[0], $0[1], $0[2]) }
        }
    }

    /// Per policy domain, over all counted reports: messages, DMARC passes, SPF and DKIM aligned.
    public func domainTotals() throws -> [(domain: String, totals: MessageTotals)] {
        try read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT r.policy_domain, TOTAL(u.messages), TOTAL(u.dmarc_pass), TOTAL(u.spf_aligned),
                           TOTAL(u.dkim_aligned), TOTAL(u.quarantine), TOTAL(u.reject)
                    FROM report r JOIN report_rollup u ON u.report_id = r.id
                    WHERE r.counted = 1 GROUP BY 1 ORDER BY 1
                    """
            ).map { row in
                var totals = MessageTotals()
                totals.messages = row[1]
                totals.dmarcPass = row[2]
                totals.spfAligned = row[3]
                totals.dkimAligned = row[4]
                totals.quarantine = row[5]
                totals.reject = row[6]
                return (row[0], totals)
            }
        }
    }

    /// Per lowercased policy domain and TLS result (`success` or a failure's result type), sessions over
    /// all counted TLS reports.
    public func tlsSessionTotals() throws -> [(domain: String, result: String, sessions: Int64)] {
        try read { db in
            try Row.fetchAll(
                db,
                sql: """
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
