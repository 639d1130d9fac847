import GRDB
import ReportModel

extension ReportDatabase {
    /// Every counted report of the period with its rolled-up totals and published policy.
    public func reportTotals(_ filter: ReportFilter) throws -> [ReportTotals] {
        try read { db in
            let (condition, arguments) = Self.condition(filter, alias: "r")
            return try Row.fetchAll(
                db,
                sql: """
                    SELECT r.policy_domain, COALESCE(r.org_name, r.reporter) AS reporter, r.begin_utc, r.end_utc,
                           u.messages, u.dmarc_pass, u.dkim_aligned, u.spf_aligned, u.quarantine, u.reject,
                           p.adkim, p.aspf, p.p, p.sp, p.np, p.pct, p.testing
                    FROM report r JOIN report_rollup u ON u.report_id = r.id
                         JOIN policy_published p ON p.report_id = r.id
                    WHERE \(condition) AND r.counted = 1
                    ORDER BY r.begin_utc, r.id
                    """,
                arguments: arguments
            ).map { row in
                var totals = MessageTotals()
                totals.messages = row["messages"]
                totals.dmarcPass = row["dmarc_pass"]
                totals.dkimAligned = row["dkim_aligned"]
                totals.spfAligned = row["spf_aligned"]
                totals.quarantine = row["quarantine"]
                totals.reject = row["reject"]
                var policy = PolicyPublished()
                policy.domain = row["policy_domain"]
                policy.adkim = Reported(stored: row["adkim"])
                policy.aspf = Reported(stored: row["aspf"])
                policy.p = Reported(stored: row["p"])
                policy.sp = Reported(stored: row["sp"])
                policy.np = Reported(stored: row["np"])
                policy.pct = row["pct"]
                policy.testing = Reported(stored: row["testing"])
                return ReportTotals(
                    policyDomain: row["policy_domain"], reporter: row["reporter"], begin: row["begin_utc"],
                    end: row["end_utc"], totals: totals, policy: policy)
            }
        }
    }

    /// Per policy domain over a longer span: messages, DMARC passes and every `p` published, for advice.
    public func policyHistory(_ filter: ReportFilter) throws -> [String: (MessageTotals, [String], Int64)] {
        try read { db in
            let (condition, arguments) = Self.condition(filter, alias: "r")
            var history: [String: (MessageTotals, [String], Int64)] = [:]
            for row in try Row.fetchAll(
                db,
                sql: """
                    SELECT r.policy_domain, TOTAL(u.messages) AS messages, TOTAL(u.dmarc_pass) AS pass,
                           GROUP_CONCAT(DISTINCT COALESCE(p.p, '')) AS policies, MIN(r.begin_utc) AS first
                    FROM report r JOIN report_rollup u ON u.report_id = r.id
                         JOIN policy_published p ON p.report_id = r.id
                    WHERE \(condition) AND r.counted = 1
                    GROUP BY r.policy_domain
                    """,
                arguments: arguments)
            {
                var totals = MessageTotals()
                totals.messages = row["messages"]
                totals.dmarcPass = row["pass"]
                history[row["policy_domain"]] = (totals, Self.list(row["policies"]), row["first"])
            }
            return history
        }
    }

    /// Sources of the period with their traffic in it and in the `earlier` span (by report begin).
    /// - Parameter onlyNew: only sources with no traffic at all in `earlier`.
    /// - Parameter onlyFailing: only sources with DMARC failures in the period.
    public func sourceActivity(
        _ filter: ReportFilter, earlier: ReportFilter, onlyNew: Bool = false, onlyFailing: Bool = false,
        limit: Int = 50
    ) throws -> [SourceActivity] {
        try read { db in
            let (condition, arguments) = Self.condition(
                filter, begin: "s.begin_utc", domain: "s.policy_domain = ?")
            let earlierStart = earlier.since ?? 0
            let earlierEnd = earlier.until ?? Int64.max
            let earlierTraffic = """
                FROM source_rollup e
                WHERE e.policy_domain = c.policy_domain AND e.source_ip = c.source_ip AND e.begin_utc BETWEEN ? AND ?
                """
            var outer: [String] = []
            var outerArguments = StatementArguments()
            if onlyNew {
                outer.append("NOT EXISTS (SELECT 1 \(earlierTraffic))")
                outerArguments += [earlierStart, earlierEnd]
            }
            if onlyFailing { outer.append("c.messages > c.pass") }
            let rows = try Row.fetchAll(
                db,
                sql: """
                    SELECT c.*, (SELECT TOTAL(e.messages) \(earlierTraffic)) AS earlier_messages,
                           (SELECT TOTAL(e.dmarc_pass) \(earlierTraffic)) AS earlier_pass
                    FROM (
                        SELECT s.policy_domain, s.source_ip, TOTAL(s.messages) AS messages,
                               TOTAL(s.dmarc_pass) AS pass, GROUP_CONCAT(DISTINCT s.header_from) AS header_from
                        FROM source_rollup s WHERE \(condition)
                        GROUP BY s.policy_domain, s.source_ip
                    ) c
                    WHERE \((["1"] + outer).joined(separator: " AND "))
                    ORDER BY c.messages - c.pass DESC, c.messages DESC, c.policy_domain, c.source_ip
                    LIMIT \(max(0, limit))
                    """,
                arguments: [earlierStart, earlierEnd, earlierStart, earlierEnd] + arguments + outerArguments)
            return rows.map { row in
                SourceActivity(
                    policyDomain: row["policy_domain"], sourceIP: row["source_ip"], messages: row["messages"],
                    dmarcPass: row["pass"], earlierMessages: row["earlier_messages"], earlierPass: row["earlier_pass"],
                    headerFrom: Self.list(row["header_from"]))
            }
        }
    }

    /// Reporters with counted reports for a domain in `earlier` and none in `filter`'s period.
    public func silentReporters(_ filter: ReportFilter, earlier: ReportFilter) throws -> [SilentReporter] {
        try read { db in
            let (earlierCondition, earlierArguments) = Self.condition(earlier, alias: "r")
            let (condition, arguments) = Self.condition(filter, alias: "n")
            return try Row.fetchAll(
                db,
                sql: """
                    SELECT r.policy_domain, COALESCE(r.org_name, r.reporter) AS name, MAX(r.begin_utc) AS last,
                           COUNT(*) AS reports
                    FROM report r
                    WHERE \(earlierCondition) AND r.counted = 1
                      AND NOT EXISTS (SELECT 1 FROM report n WHERE \(condition) AND n.counted = 1
                                      AND n.policy_domain = r.policy_domain AND n.reporter = r.reporter)
                    GROUP BY r.policy_domain, r.reporter
                    ORDER BY r.policy_domain, reports DESC, name
                    """,
                arguments: earlierArguments + arguments
            ).map {
                SilentReporter(
                    policyDomain: $0["policy_domain"], reporter: $0["name"], lastBegin: $0["last"],
                    earlierReports: $0["reports"])
            }
        }
    }

    /// Inputs imported in `[since, until]` and what became of their items; diagnostics of the reports
    /// `filter` selects.
    public func dataHealth(
        importedFrom since: Int64, to until: Int64, reports filter: ReportFilter
    ) throws
        -> DataHealth
    {
        try read { db in
            var health = DataHealth()
            health.inputs =
                try Int.fetchOne(
                    db, sql: "SELECT COUNT(*) FROM input WHERE imported_at BETWEEN ? AND ?", arguments: [since, until])
                ?? 0
            for row in try Row.fetchAll(
                db,
                sql: """
                    SELECT item.outcome, COUNT(*) AS items FROM item JOIN input ON input.id = item.input_id
                    WHERE input.imported_at BETWEEN ? AND ? GROUP BY item.outcome
                    """,
                arguments: [since, until])
            {
                let count: Int = row["items"]
                switch row["outcome"] as String {
                case "stored": health.stored = count
                case "duplicate": health.duplicates = count
                case "rejected": health.rejected = count
                default: health.skipped = count
                }
            }
            health.rejectionReasons = try Row.fetchAll(
                db,
                sql: """
                    SELECT item.reason, COUNT(*) AS items FROM item JOIN input ON input.id = item.input_id
                    WHERE input.imported_at BETWEEN ? AND ? AND item.outcome = 'rejected'
                    GROUP BY item.reason ORDER BY items DESC, item.reason LIMIT 5
                    """,
                arguments: [since, until]
            ).map { (($0["reason"] as String?) ?? "", $0["items"]) }
            let (condition, arguments) = Self.condition(filter, alias: "r")
            health.diagnostics = try Row.fetchAll(
                db,
                sql: """
                    SELECT d.code, SUM(d.occurrences) AS occurrences FROM report r JOIN diagnostic d ON d.report_id = r.id
                    WHERE \(condition) GROUP BY d.code ORDER BY occurrences DESC, d.code
                    """,
                arguments: arguments
            ).map { ($0["code"], $0["occurrences"]) }
            return health
        }
    }
}
