import Foundation
import GRDB
import ReportModel

extension ReportDatabase {
    /// The first of `forms` (one policy domain written in different ways) that a DMARC or TLS report is
    /// stored under; `nil` when none is.
    public func storedPolicyDomain(among forms: [String]) throws -> String? {
        try read { db in
            for form in forms {
                let stored = try db.value(
                    Bool.self,
                    """
                    SELECT EXISTS (SELECT 1 FROM report WHERE policy_domain = ?)
                        OR EXISTS (SELECT 1 FROM tls_policy WHERE policy_domain = ?)
                    """, [form, form])
                if stored == true { return form }
            }
            return nil
        }
    }

    /// The stored reports matching `filter`, oldest first.
    public func reports(_ filter: ReportFilter) throws -> [StoredReport] {
        try read { db in
            let (condition, arguments) = Self.condition(filter, alias: "r")
            let rows = try db.rows(
                """
                SELECT r.id, r.org_name, r.email, r.report_id, r.policy_domain, r.begin_utc, r.end_utc, r.records,
                       r.messages, r.counted, r.recovered, r.part, input.name AS input_name,
                       r.records_pruned_at IS NOT NULL AS records_pruned,
                       (SELECT COUNT(*) FROM diagnostic d WHERE d.report_id = r.id) AS diagnostics
                FROM report r JOIN input ON input.id = r.input_id
                WHERE \(condition)
                ORDER BY r.begin_utc, r.policy_domain, r.id
                """,
                arguments)
            let dmarc = rows.map { row in
                var report = StoredReport(
                    id: row["id"], kind: .dmarc, orgName: row["org_name"], email: row["email"],
                    reportID: row["report_id"],
                    policyDomain: row["policy_domain"], begin: row["begin_utc"], end: row["end_utc"],
                    records: row["records"], messages: row["messages"], counted: row["counted"],
                    recovered: row["recovered"], input: row["input_name"], part: row["part"],
                    diagnostics: row["diagnostics"])
                report.recordsPruned = row["records_pruned"]
                return report
            }
            let tls = try Self.tlsReports(db, filter)
            return (dmarc + tls).sorted {
                ($0.begin, $0.policyDomain, $0.kind.rawValue, $0.id) < (
                    $1.begin, $1.policyDomain, $1.kind.rawValue, $1.id
                )
            }
        }
    }

    /// TLS reports as listing rows: the policy domains joined with commas, policies as records and
    /// sessions (successful and failed) as messages.
    static func tlsReports(_ db: any SQLConnection, _ filter: ReportFilter) throws -> [StoredReport] {
        let (condition, arguments) = condition(
            filter, begin: "t.begin_utc",
            domain: "EXISTS (SELECT 1 FROM tls_policy p WHERE p.tls_report_id = t.id AND p.policy_domain = ?)")
        let rows = try db.rows(
            """
            SELECT t.id, t.organization_name, t.contact_info, t.report_id, t.begin_utc, t.end_utc, t.policies,
                   t.successful_sessions + t.failed_sessions AS sessions, t.counted, t.part,
                   input.name AS input_name,
                   (SELECT GROUP_CONCAT(DISTINCT p.policy_domain) FROM tls_policy p WHERE p.tls_report_id = t.id)
                       AS domains
            FROM tls_report t JOIN input ON input.id = t.input_id
            WHERE \(condition)
            """,
            arguments)
        return rows.map { row in
            StoredReport(
                id: row["id"], kind: .tlsrpt, orgName: row["organization_name"], email: row["contact_info"],
                reportID: row["report_id"], policyDomain: (row["domains"] as String?) ?? "", begin: row["begin_utc"],
                end: row["end_utc"], records: row["policies"], messages: row["sessions"], counted: row["counted"],
                recovered: false, input: row["input_name"], part: row["part"], diagnostics: 0)
        }
    }

    /// Per policy domain: reports, reporters, messages, alignment and dispositions, and the sources
    /// failing DMARC. Only counted reports (not variants) contribute.
    public func summary(_ filter: ReportFilter, topSources: Int = 10) throws -> [DomainSummary] {
        try read { db in
            let (condition, arguments) = Self.condition(filter, alias: "r")
            var summaries: [String: DomainSummary] = [:]
            let reportRows = try db.rows(
                """
                SELECT r.policy_domain, COUNT(*) AS reports, COUNT(DISTINCT r.reporter) AS reporters
                FROM report r WHERE \(condition) AND r.counted = 1
                GROUP BY r.policy_domain
                """,
                arguments)
            for row in reportRows {
                let domain: String = row["policy_domain"]
                summaries[domain] = DomainSummary(domain: domain, reports: row["reports"], reporters: row["reporters"])
            }
            let totals = try db.rows(
                """
                SELECT r.policy_domain, TOTAL(u.messages) AS messages, TOTAL(u.dmarc_pass) AS pass,
                       TOTAL(u.spf_aligned) AS spf, TOTAL(u.dkim_aligned) AS dkim,
                       TOTAL(u.quarantine) AS quarantine, TOTAL(u.reject) AS reject
                FROM report r JOIN report_rollup u ON u.report_id = r.id
                WHERE \(condition) AND r.counted = 1
                GROUP BY r.policy_domain
                """,
                arguments)
            for row in totals {
                let domain: String = row["policy_domain"]
                var summary = summaries[domain] ?? DomainSummary(domain: domain)
                summary.messages = Int64(saturating: row["messages"] as Double)
                summary.dmarcPass = Int64(saturating: row["pass"] as Double)
                summary.spfAligned = Int64(saturating: row["spf"] as Double)
                summary.dkimAligned = Int64(saturating: row["dkim"] as Double)
                summary.dispositionQuarantine = Int64(saturating: row["quarantine"] as Double)
                summary.dispositionReject = Int64(saturating: row["reject"] as Double)
                summary.dispositionNone = summary.messages - summary.dispositionQuarantine - summary.dispositionReject
                summaries[domain] = summary
            }
            // No sources asked for (`/metrics`): the rollup of sources is not read at all.
            guard topSources > 0 else {
                return summaries.values.sorted { ($0.messages, $1.domain) > ($1.messages, $0.domain) }
            }
            let (sourceCondition, sourceArguments) = Self.condition(
                filter, begin: "s.begin_utc", domain: "s.policy_domain = ?")
            let failing = try db.rows(
                """
                SELECT policy_domain, source_ip, messages, header_from FROM (
                    SELECT s.policy_domain, s.source_ip, CAST(TOTAL(s.messages - s.dmarc_pass) AS BIGINT) AS messages,
                           GROUP_CONCAT(DISTINCT s.header_from) AS header_from,
                           ROW_NUMBER() OVER (PARTITION BY s.policy_domain
                                              ORDER BY TOTAL(s.messages - s.dmarc_pass) DESC, s.source_ip) AS rank
                    FROM source_rollup s
                    WHERE \(sourceCondition) AND s.messages > s.dmarc_pass
                    GROUP BY s.policy_domain, s.source_ip
                ) ranked WHERE rank <= ?
                ORDER BY policy_domain, rank
                """,
                sourceArguments + [topSources])
            for row in failing {
                let domain: String = row["policy_domain"]
                let headerFrom = ((row["header_from"] as String?) ?? "").split(separator: ",").map(String.init).sorted()
                summaries[domain]?.topFailingSources.append(
                    FailingSource(sourceIP: row["source_ip"], messages: row["messages"], headerFrom: headerFrom))
            }
            return summaries.values.sorted { ($0.messages, $1.domain) > ($1.messages, $0.domain) }
        }
    }

    /// The WHERE clause for a filter on the report table aliased `alias`.
    static func condition(_ filter: ReportFilter, alias: String) -> (String, SQLArguments) {
        condition(filter, begin: "\(alias).begin_utc", domain: "\(alias).policy_domain = ?")
    }

    /// The WHERE clause for a filter: `begin` names the column a period applies to, `domain` the clause
    /// (with one placeholder) that selects the policy domain. Both are fixed SQL; values are bound.
    static func condition(
        _ filter: ReportFilter, begin: String, domain: String, extra: [String] = []
    )
        -> (String, SQLArguments)
    {
        var clauses = ["1 = 1"] + extra
        var arguments = SQLArguments()
        if let value = filter.domain {
            clauses.append(domain)
            arguments += [value]
        }
        if let since = filter.since {
            clauses.append("\(begin) >= ?")
            arguments += [since]
        }
        if let until = filter.until {
            clauses.append("\(begin) <= ?")
            arguments += [until]
        }
        return (clauses.joined(separator: " AND "), arguments)
    }
}

extension ReportDatabase {
    /// Row counts of the main tables, for checks and `rua` diagnostics.
    public func tableCounts() throws -> [String: Int] {
        try read { db in
            var counts: [String: Int] = [:]
            for table in [
                "input_blob", "input_chunk", "input", "item", "report", "policy_published", "record", "dkim_result",
                "spf_result",
                "override_reason", "diagnostic", "report_error", "report_extension", "message",
            ] {
                counts[table] = try db.value(Int.self, "SELECT COUNT(*) FROM \(table)") ?? 0
            }
            return counts
        }
    }

    /// The items that were rejected, with their input and reason, oldest first.
    public func rejectedItems() throws -> [ImportItem] {
        try read { db in
            let rows = try db.rows(
                """
                SELECT input.name, item.part, item.kind, item.reason FROM item JOIN input ON input.id = item.input_id
                WHERE item.outcome = 'rejected' ORDER BY item.id
                """)
            return rows.map { row in
                ImportItem(
                    input: row["name"], part: row["part"], outcome: .rejected,
                    kind: (row["kind"] as String?).flatMap(ImportItem.Kind.init), reason: row["reason"])
            }
        }
    }

    /// The connection's settings an import changes while it runs: the log size, in pages, at which
    /// SQLite checkpoints it on its own, and where temporary tables, sorts and journals go (1: files, 2: memory).
    public func importSensitiveSettings() throws -> (walAutocheckpoint: Int, tempStore: Int) {
        try read { db in
            (
                try db.value(Int.self, "PRAGMA wal_autocheckpoint") ?? 0,
                try db.value(Int.self, "PRAGMA temp_store") ?? 0
            )
        }
    }

    /// SQLite's journal mode for this database (`wal`).
    public func journalMode() throws -> String {
        try read { db in try db.value(String.self, "PRAGMA journal_mode") ?? "" }
    }
}

extension ReportDatabase {
    /// Runs `body` while this connection holds the database's write lock (an open immediate
    /// transaction, rolled back afterwards): what another process sees while an import is writing.
    public func holdingWriteLock<T>(_ body: () throws -> T) throws -> T {
        try writeWithoutTransaction { db in
            try db.execute("BEGIN IMMEDIATE")
            defer { try? db.execute("ROLLBACK") }
            return try body()
        }
    }
}

extension ReportDatabase {
    /// The join condition of a report (alias `report`) and its records (alias `record`). A SQLite report's
    /// records are the id range it keeps; PostgreSQL's range may hold other importers' records too (they
    /// share out blocks of ids), so there the report is named as well; the range picks the partition.
    static func recordsOf(_ report: String, _ record: String, _ engine: StoreEngine) -> String {
        switch engine {
        case .sqlite: "\(record).id BETWEEN \(report).first_record AND \(report).last_record"
        case .postgresql:
            "\(record).id BETWEEN \(report).first_record AND \(report).last_record AND \(record).report_id = \(report).id"
        }
    }
}
