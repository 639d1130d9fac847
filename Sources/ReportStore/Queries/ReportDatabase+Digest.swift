import GRDB
import ReportModel

extension ReportDatabase {
    /// Every counted report of the period with its rolled-up totals and published policy, oldest first,
    /// handed to `body` one at a time: a month of 100,000 domains is millions of reports, which a list
    /// would hold all at once.
    public func forEachReportTotals(_ filter: ReportFilter, _ body: (ReportTotals) throws -> Void) throws {
        try read { db in
            let (condition, arguments) = Self.condition(filter, alias: "r")
            try db.forEachRow(
                """
                SELECT r.policy_domain, COALESCE(r.org_name, r.reporter) AS reporter, r.begin_utc, r.end_utc,
                       u.messages, u.dmarc_pass, u.dkim_aligned, u.spf_aligned, u.quarantine, u.reject,
                       p.adkim, p.aspf, p.p, p.sp, p.np, p.pct, p.testing
                FROM report r JOIN report_rollup u ON u.report_id = r.id
                     JOIN policy_published p ON p.report_id = r.id
                WHERE \(condition) AND r.counted = 1
                ORDER BY r.begin_utc, r.id
                """,
                arguments
            ) { row in
                // Columns by position: name lookups cost more than the query on large periods.
                var totals = MessageTotals()
                totals.messages = row[4]
                totals.dmarcPass = row[5]
                totals.dkimAligned = row[6]
                totals.spfAligned = row[7]
                totals.quarantine = row[8]
                totals.reject = row[9]
                var policy = PolicyPublished()
                policy.domain = row[0]
                policy.adkim = Reported(stored: row[10])
                policy.aspf = Reported(stored: row[11])
                policy.p = Reported(stored: row[12])
                policy.sp = Reported(stored: row[13])
                policy.np = Reported(stored: row[14])
                policy.pct = row[15]
                policy.testing = Reported(stored: row[16])
                try body(
                    ReportTotals(
                        policyDomain: row[0], reporter: row[1], begin: row[2], end: row[3], totals: totals,
                        policy: policy))
            }
        }
    }

    /// Per policy domain over a longer span: messages, DMARC passes and every `p` published, for advice.
    public func policyHistory(_ filter: ReportFilter) throws -> [String: PolicyEvidence] {
        try read { db in
            let (condition, arguments) = Self.condition(filter, alias: "r")
            var history: [String: PolicyEvidence] = [:]
            for row in try db.rows(
                """
                SELECT r.policy_domain, TOTAL(u.messages) AS messages, TOTAL(u.dmarc_pass) AS pass,
                       GROUP_CONCAT(DISTINCT COALESCE(p.p, '')) AS policies, MIN(r.begin_utc) AS first,
                       COUNT(DISTINCT r.reporter) AS reporters, COUNT(DISTINCT r.begin_utc / 86400) AS days
                FROM report r JOIN report_rollup u ON u.report_id = r.id
                     JOIN policy_published p ON p.report_id = r.id
                WHERE \(condition) AND r.counted = 1
                GROUP BY r.policy_domain
                """,
                arguments)
            {
                var totals = MessageTotals()
                totals.messages = row["messages"]
                totals.dmarcPass = row["pass"]
                history[row["policy_domain"]] = PolicyEvidence(
                    totals: totals, policies: Self.list(row["policies"]), first: row["first"],
                    reporters: row["reporters"], days: row["days"])
            }
            return history
        }
    }

    /// Every source of the period with its traffic in it and whether it sent anything in the `earlier`
    /// span (by report begin), handed to `body` one at a time; for those failing DMARC for at least
    /// `failing.messages` messages making at least `failing.share` of theirs, their traffic in `earlier`
    /// too.
    ///
    /// Both spans are added up by (policy domain, source) in SQL and read side by side in that order, so
    /// memory stays flat however many sources a period has (SQLite's sorts spill to files).
    public func forEachSourceHistory(
        _ filter: ReportFilter, earlier: ReportFilter, failing: (messages: Double, share: Double),
        _ body: (SourceActivity) throws -> Void
    ) throws {
        try read { db in
            let (condition, arguments) = Self.condition(
                filter, begin: "s.begin_utc", domain: "s.policy_domain = ?")
            let period = try db.steppedQuery(
                """
                SELECT s.policy_domain, s.source_ip, TOTAL(s.messages), TOTAL(s.dmarc_pass),
                       GROUP_CONCAT(DISTINCT s.header_from)
                FROM source_rollup s WHERE \(condition)
                GROUP BY s.policy_domain, s.source_ip
                ORDER BY s.policy_domain, s.source_ip
                """)
            try period.bind(arguments)
            defer { period.reset() }
            let (earlierCondition, earlierArguments) = Self.condition(
                earlier, begin: "e.begin_utc", domain: "e.policy_domain = ?")
            let span = try db.steppedQuery(
                """
                SELECT e.policy_domain, e.source_ip, TOTAL(e.messages), TOTAL(e.dmarc_pass)
                FROM source_rollup e WHERE \(earlierCondition)
                GROUP BY e.policy_domain, e.source_ip
                ORDER BY e.policy_domain, e.source_ip
                """)
            try span.bind(earlierArguments)
            defer { span.reset() }
            var spanHasRow = try span.step()
            // Stepped through, not fetched: millions of rows on a large period.
            while try period.step() {
                let (domain, address) = (period.bytes(0), period.bytes(1))
                /// Where the earlier span's row stands against the period's: negative while it is behind.
                func order() -> Int {
                    let first = TextOrder.compare(span.bytes(0), domain)
                    return first != 0 ? first : TextOrder.compare(span.bytes(1), address)
                }
                while spanHasRow && order() < 0 { spanHasRow = try span.step() }
                var source = SourceActivity(
                    policyDomain: period.text(0) ?? "", sourceIP: period.text(1) ?? "",
                    messages: period.double(2), dmarcPass: period.double(3), seenBefore: spanHasRow && order() == 0,
                    earlierMessages: 0, earlierPass: 0, headerFrom: Self.list(period.text(4)))
                let failingMessages = source.messages - source.dmarcPass
                if source.seenBefore && failingMessages >= failing.messages
                    && failingMessages >= failing.share * source.messages
                {
                    source.earlierMessages = span.double(2)
                    source.earlierPass = span.double(3)
                }
                try body(source)
            }
        }
    }

    /// Reporters with counted reports for a domain in `earlier` and none in `filter`'s period.
    public func silentReporters(_ filter: ReportFilter, earlier: ReportFilter) throws -> [SilentReporter] {
        try read { db in
            let (earlierCondition, earlierArguments) = Self.condition(earlier, alias: "r")
            let (condition, arguments) = Self.condition(filter, alias: "n")
            return try db.rows(
                """
                WITH current AS MATERIALIZED (
                    SELECT DISTINCT n.policy_domain, n.reporter FROM report n WHERE \(condition) AND n.counted = 1
                )
                SELECT r.policy_domain, MAX(COALESCE(r.org_name, r.reporter)) AS name, MAX(r.begin_utc) AS last,
                       COUNT(*) AS reports
                FROM report r
                WHERE \(earlierCondition) AND r.counted = 1
                GROUP BY r.policy_domain, r.reporter
                HAVING NOT EXISTS (SELECT 1 FROM current c
                                   WHERE c.policy_domain = r.policy_domain AND c.reporter = r.reporter)
                ORDER BY r.policy_domain, reports DESC, name
                """,
                arguments + earlierArguments
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
                try db.value(Int.self, "SELECT COUNT(*) FROM input WHERE imported_at BETWEEN ? AND ?", [since, until])
                ?? 0
            for row in try db.rows(
                """
                SELECT item.outcome, COUNT(*) AS items FROM item JOIN input ON input.id = item.input_id
                WHERE input.imported_at BETWEEN ? AND ? GROUP BY item.outcome
                """,
                [since, until])
            {
                let count: Int = row["items"]
                switch row["outcome"] as String {
                case "stored": health.stored = count
                case "duplicate": health.duplicates = count
                case "rejected": health.rejected = count
                default: health.skipped = count
                }
            }
            health.rejectionReasons = try db.rows(
                """
                SELECT item.reason, COUNT(*) AS items FROM item JOIN input ON input.id = item.input_id
                WHERE input.imported_at BETWEEN ? AND ? AND item.outcome = 'rejected'
                GROUP BY item.reason ORDER BY items DESC, item.reason LIMIT 5
                """,
                [since, until]
            ).map { (($0["reason"] as String?) ?? "", $0["items"]) }
            let (condition, arguments) = Self.condition(filter, alias: "r")
            health.diagnostics = try db.rows(
                """
                SELECT d.code, CAST(TOTAL(d.occurrences) AS BIGINT) AS occurrences FROM report r JOIN diagnostic d ON d.report_id = r.id
                WHERE \(condition) GROUP BY d.code ORDER BY occurrences DESC, d.code
                """,
                arguments
            ).map { ($0["code"], $0["occurrences"]) }
            return health
        }
    }
}
