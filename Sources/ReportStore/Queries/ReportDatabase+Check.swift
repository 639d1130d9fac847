import GRDB
import ReportModel

extension ReportDatabase {
    /// Every policy domain with a DMARC or TLS report, sorted.
    public func policyDomains() throws -> [String] {
        try read { db in
            try String.fetchAll(
                db,
                sql: """
                    SELECT policy_domain FROM report UNION SELECT policy_domain FROM tls_policy WHERE policy_domain IS NOT NULL ORDER BY 1
                    """)
        }
    }

    /// DKIM selectors seen signing for `domain` (or its subdomains) in the reports beginning at or after
    /// `since`: the signing domain, the selector and the end of the last report that showed it.
    public func dkimSelectors(
        domain: String, since: Int64
    ) throws -> [(domain: String, selector: String, lastSeen: Int64)] {
        try read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT dom, sel, MAX(last) AS last FROM (
                        SELECT c.dkim1_domain AS dom, c.dkim1_selector AS sel, r.end_utc AS last
                        FROM report r JOIN record c ON c.id BETWEEN r.first_record AND r.last_record
                        WHERE r.policy_domain = ? AND r.begin_utc >= ? AND c.dkim1_selector <> ''
                        UNION ALL
                        SELECT e.domain, e.selector, r.end_utc
                        FROM report r JOIN dkim_result_extra e
                             ON e.id BETWEEN (r.first_record << 16) AND ((r.last_record << 16) | 65535)
                        WHERE r.policy_domain = ? AND r.begin_utc >= ? AND e.selector <> ''
                    )
                    WHERE lower(dom) = ? OR lower(dom) LIKE ?
                    GROUP BY lower(dom), lower(sel) ORDER BY 1, 2
                    """,
                arguments: [domain, since, domain, since, domain, "%." + domain]
            ).map { (($0["dom"] as String).lowercased(), ($0["sel"] as String).lowercased(), $0["last"]) }
        }
    }
}

extension ReportDatabase {
    /// Sources whose mail for `domain` passed DKIM aligned but mostly not SPF aligned, in the reports
    /// beginning at or after `since`: senders the SPF record may be missing (or forwarders), most first.
    public func sendersMissingFromSPF(
        domain: String, since: Int64, limit: Int
    ) throws -> [(source: String, messages: Int64)] {
        try read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT source_ip, TOTAL(messages) AS messages FROM source_rollup
                    WHERE policy_domain = ? AND begin_utc >= ?
                    GROUP BY source_ip
                    HAVING TOTAL(dkim_aligned) > 0 AND TOTAL(spf_aligned) * 2 < TOTAL(messages)
                    ORDER BY messages DESC, source_ip LIMIT ?
                    """,
                arguments: [domain, since, limit]
            ).map { ($0["source_ip"], Int64(($0["messages"] as Double).rounded())) }
        }
    }
}

extension ReportDatabase {
    /// The policy the latest report of each domain (or of `domain`) shows published, and the begin of
    /// the earliest report in the unbroken run of reports showing the same `p` up to it.
    public func currentPolicies(domain: String?) throws -> [String: PublishedPolicy] {
        try read { db in
            var found: [String: PublishedPolicy] = [:]
            var settled = Set<String>()
            let rows = try Row.fetchCursor(
                db,
                sql: """
                    SELECT r.policy_domain, r.begin_utc, p.p, p.sp, p.np, p.testing, p.pct
                    FROM report r JOIN policy_published p ON p.report_id = r.id
                    WHERE r.counted = 1 AND (?1 IS NULL OR r.policy_domain = ?1)
                    ORDER BY r.policy_domain, r.begin_utc DESC
                    """,
                arguments: [domain])
            while let row = try rows.next() {
                let name: String = row[0]
                guard !settled.contains(name) else { continue }
                let p = (row[2] as String?)?.lowercased()
                if var policy = found[name] {
                    if policy.p == p {
                        policy.since = row[1]
                        found[name] = policy
                    } else {
                        settled.insert(name)
                    }
                } else {
                    found[name] = PublishedPolicy(
                        p: p, sp: (row[3] as String?)?.lowercased(), np: (row[4] as String?)?.lowercased(),
                        testing: (row[5] as String?)?.lowercased(), pct: row[6], since: row[1])
                }
            }
            return found
        }
    }
}

extension ReportDatabase {
    /// The domain's TLS reports: the end of the last one ever, and since `since` (report begin) the
    /// sessions by outcome, failure result type and policy type.
    public func tlsEvidence(domain: String, since: Int64) throws -> TLSEvidence {
        try read { db in
            var evidence = TLSEvidence(
                lastReport: try Int64.fetchOne(
                    db,
                    sql: """
                        SELECT MAX(t.end_utc) FROM tls_report t JOIN tls_policy p ON p.tls_report_id = t.id
                        WHERE lower(p.policy_domain) = ? AND t.counted = 1
                        """, arguments: [domain]))
            for row in try Row.fetchAll(
                db,
                sql: """
                    SELECT COALESCE(p.policy_type, ''), TOTAL(p.successful_sessions), TOTAL(p.failed_sessions)
                    FROM tls_report t JOIN tls_policy p ON p.tls_report_id = t.id
                    WHERE lower(p.policy_domain) = ? AND t.counted = 1 AND t.begin_utc >= ?
                    GROUP BY 1
                    """, arguments: [domain, since])
            {
                let successful = Int64(row[1] as Double)
                let failed = Int64(row[2] as Double)
                evidence.successfulSessions += successful
                evidence.failedSessions += failed
                evidence.policyTypes[row[0], default: 0] += successful + failed
            }
            evidence.failures = try Row.fetchAll(
                db,
                sql: """
                    SELECT COALESCE(f.result_type, ''), TOTAL(f.failed_sessions) AS sessions
                    FROM tls_report t JOIN tls_policy p ON p.tls_report_id = t.id
                         JOIN tls_failure f ON f.tls_policy_id = p.id
                    WHERE lower(p.policy_domain) = ? AND t.counted = 1 AND t.begin_utc >= ?
                    GROUP BY 1 ORDER BY sessions DESC, 1
                    """, arguments: [domain, since]
            ).map { ($0[0], Int64($0[1] as Double)) }
            return evidence
        }
    }
}
