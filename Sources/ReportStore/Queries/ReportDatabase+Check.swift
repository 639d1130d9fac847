import GRDB
import ReportModel

extension ReportDatabase {
    /// Every policy domain with a DMARC or TLS report, sorted.
    public func policyDomains() throws -> [String] {
        try read { db in
            try db.values(
                String.self,
                """
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
            try db.rows(
                """
                SELECT s.domain, s.selector, MAX(r.end_utc) AS last
                FROM report r JOIN report_selector s ON s.report_id = r.id
                WHERE r.policy_domain = ? AND r.begin_utc >= ? AND (s.domain = ? OR s.domain LIKE ?)
                GROUP BY s.domain, s.selector ORDER BY 1, 2
                """,
                [domain, since, domain, "%." + domain]
            ).map { ($0["domain"], $0["selector"], $0["last"]) }
        }
    }
}

extension ReportDatabase {
    /// ``sendersMissingFromSPF(domain:since:limit:)`` for every domain at once, by domain: one pass over
    /// the rollup instead of one search per domain.
    public func sendersMissingFromSPF(
        since: Int64, limit: Int
    ) throws -> [String: [(source: String, messages: Int64)]] {
        try read { db in
            var found: [String: [(source: String, messages: Int64)]] = [:]
            for row in try db.rows(
                """
                SELECT policy_domain, source_ip, messages FROM (
                    SELECT policy_domain, source_ip, TOTAL(messages) AS messages,
                           ROW_NUMBER() OVER (PARTITION BY policy_domain
                                              ORDER BY TOTAL(messages) DESC, source_ip) AS rank
                    FROM source_rollup WHERE begin_utc >= ?
                    GROUP BY policy_domain, source_ip
                    HAVING TOTAL(dkim_aligned) > 0 AND TOTAL(spf_aligned) * 2 < TOTAL(messages)) ranked
                WHERE rank <= ? ORDER BY policy_domain, rank
                """, [since, limit])
            {
                found[row[0], default: []].append((row[1], Int64((row[2] as Double).rounded())))
            }
            return found
        }
    }

    /// Sources whose mail for `domain` passed DKIM aligned but mostly not SPF aligned, in the reports
    /// beginning at or after `since`: senders the SPF record may be missing (or forwarders), most first.
    public func sendersMissingFromSPF(
        domain: String, since: Int64, limit: Int
    ) throws -> [(source: String, messages: Int64)] {
        try read { db in
            try db.rows(
                """
                SELECT source_ip, TOTAL(messages) AS messages FROM source_rollup
                WHERE policy_domain = ? AND begin_utc >= ?
                GROUP BY source_ip
                HAVING TOTAL(dkim_aligned) > 0 AND TOTAL(spf_aligned) * 2 < TOTAL(messages)
                ORDER BY messages DESC, source_ip LIMIT ?
                """,
                [domain, since, limit]
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
            try db.forEachRow(
                """
                SELECT r.policy_domain, r.begin_utc, p.p, p.sp, p.np, p.testing, p.pct
                FROM report r JOIN policy_published p ON p.report_id = r.id
                WHERE r.counted = 1 AND (CAST(?1 AS TEXT) IS NULL OR r.policy_domain = ?1)
                ORDER BY r.policy_domain, r.begin_utc DESC, r.id
                """,
                [domain]
            ) { row in
                let name: String = row[0]
                guard !settled.contains(name) else { return }
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
    /// Each policy domain's TLS reports (by lowercased name): the end of the last one ever, and since
    /// `since` (report begin) the sessions by outcome, failure result type and policy type.
    public func tlsEvidence(since: Int64) throws -> [String: TLSEvidence] {
        try read { db in
            var evidence: [String: TLSEvidence] = [:]
            for row in try db.rows(
                """
                SELECT lower(p.policy_domain), MAX(t.end_utc) FROM tls_report t
                JOIN tls_policy p ON p.tls_report_id = t.id
                WHERE t.counted = 1 AND p.policy_domain IS NOT NULL GROUP BY 1
                """)
            {
                evidence[row[0]] = TLSEvidence(lastReport: row[1])
            }
            for row in try db.rows(
                """
                SELECT lower(p.policy_domain), COALESCE(p.policy_type, ''), TOTAL(p.successful_sessions),
                       TOTAL(p.failed_sessions)
                FROM tls_report t JOIN tls_policy p ON p.tls_report_id = t.id
                WHERE t.counted = 1 AND t.begin_utc >= ? AND p.policy_domain IS NOT NULL
                GROUP BY 1, 2
                """, [since])
            {
                let successful = Int64(row[2] as Double)
                let failed = Int64(row[3] as Double)
                evidence[row[0], default: TLSEvidence(lastReport: nil)].successfulSessions += successful
                evidence[row[0], default: TLSEvidence(lastReport: nil)].failedSessions += failed
                evidence[row[0], default: TLSEvidence(lastReport: nil)].policyTypes[row[1], default: 0] +=
                    successful + failed
            }
            for row in try db.rows(
                """
                SELECT lower(p.policy_domain), COALESCE(f.result_type, ''), TOTAL(f.failed_sessions) AS sessions
                FROM tls_report t JOIN tls_policy p ON p.tls_report_id = t.id
                     JOIN tls_failure f ON f.tls_policy_id = p.id
                WHERE t.counted = 1 AND t.begin_utc >= ? AND p.policy_domain IS NOT NULL
                GROUP BY 1, 2 ORDER BY 1, sessions DESC, 2
                """, [since])
            {
                evidence[row[0], default: TLSEvidence(lastReport: nil)].failures.append(
                    (row[1], Int64(row[2] as Double)))
            }
            return evidence
        }
    }
}

extension ReportDatabase {
    /// Stores what a check saw in `domain`'s DNS at `now`, in one transaction: a value equal to the last
    /// one of its kind extends it, any other starts a new row. Returns the changes from the last check;
    /// with `store` false, only returns them.
    public func recordDNS(
        domain: String, records: [(kind: String, value: String)], at now: Int64, store: Bool = true
    ) throws -> [RecordChange] {
        func compare(_ db: any SQLConnection) throws -> [RecordChange] {
            var changes: [RecordChange] = []
            for (kind, value) in records {
                let last = try db.row(
                    """
                    SELECT id, value, last_seen FROM dns_record WHERE domain = ? AND kind = ?
                    ORDER BY first_seen DESC, id DESC LIMIT 1
                    """, [domain, kind])
                if let last, last["value"] as String == value {
                    if store {
                        try db.execute(
                            "UPDATE dns_record SET last_seen = \(db.engine == .sqlite ? "MAX" : "GREATEST")(last_seen, ?) WHERE id = ?",
                            [now, last["id"] as Int64])
                    }
                    continue
                }
                if store {
                    try db.execute(
                        """
                        INSERT INTO dns_record (domain, kind, value, first_seen, last_seen)
                        VALUES (?, ?, ?, ?, ?)
                        """, [domain, kind, value, now, now])
                }
                if let last {
                    changes.append(
                        RecordChange(
                            domain: domain, kind: kind, before: last["value"], after: value, seen: now,
                            lastSeenBefore: last["last_seen"]))
                }
            }
            return changes
        }
        do {
            return store ? try write(compare) : try read(compare)
        } catch {
            throw Self.storeError(error, doing: "store the DNS records", path: path)
        }
    }

    /// The record changes first seen in `start..<end` (of `domain` only, when given), oldest first.
    public func recordChanges(start: Int64, end: Int64, domain: String?) throws -> [RecordChange] {
        try read { db in
            try db.rows(
                """
                SELECT n.domain, n.kind, n.value AS after, n.first_seen,
                       o.value AS before, o.last_seen AS before_seen
                FROM dns_record n JOIN dns_record o ON o.id = (
                    SELECT id FROM dns_record p
                    WHERE p.domain = n.domain AND p.kind = n.kind AND p.first_seen <= n.first_seen AND p.id < n.id
                    ORDER BY p.first_seen DESC, p.id DESC LIMIT 1)
                WHERE n.first_seen >= ? AND n.first_seen < ? AND (CAST(?3 AS TEXT) IS NULL OR n.domain = ?3)
                ORDER BY n.first_seen, n.domain, n.kind
                """, [start, end, domain]
            ).map {
                RecordChange(
                    domain: $0["domain"], kind: $0["kind"], before: $0["before"], after: $0["after"],
                    seen: $0["first_seen"], lastSeenBefore: $0["before_seen"])
            }
        }
    }
}
