import GRDB
import ReportModel

extension ReportDatabase {
    /// Per policy domain: TLS sessions as reported, policy types and modes, failures by result type,
    /// receiving MX and sending IP. Only counted reports (not variants) contribute; a report belongs to
    /// the period its date range begins in.
    public func tlsSummary(_ filter: ReportFilter, top: Int = 10) throws -> [TLSDomainSummary] {
        try read { db in
            let (condition, arguments) = Self.condition(
                filter, begin: "t.begin_utc", domain: "COALESCE(p.policy_domain, '') = ?", extra: ["t.counted = 1"])
            let from = "tls_policy p JOIN tls_report t ON t.id = p.tls_report_id WHERE \(condition)"
            var summaries: [String: TLSDomainSummary] = [:]
            for row in try db.rows(
                """
                SELECT COALESCE(p.policy_domain, '') AS domain, COUNT(DISTINCT t.id) AS reports,
                       GROUP_CONCAT(DISTINCT t.organization_name) AS reporters,
                       TOTAL(p.successful_sessions) AS ok, TOTAL(p.failed_sessions) AS failed,
                       GROUP_CONCAT(DISTINCT p.policy_type) AS types, GROUP_CONCAT(DISTINCT p.mode) AS modes,
                       TOTAL(CASE WHEN p.policy_type = 'no-policy-found'
                                  THEN p.successful_sessions + p.failed_sessions END) AS no_policy
                FROM \(from) GROUP BY domain
                """,
                arguments)
            {
                let domain: String = row["domain"]
                summaries[domain] = TLSDomainSummary(
                    domain: domain, reports: row["reports"], reporters: Self.list(row["reporters"]),
                    successfulSessions: Int64(saturating: row["ok"] as Double),
                    failedSessions: Int64(saturating: row["failed"] as Double),
                    policyTypes: Self.list(row["types"]), modes: Self.list(row["modes"]),
                    noPolicyFoundSessions: Int64(saturating: row["no_policy"] as Double))
            }
            let failureRows: (String) throws -> [StoreRow] = { column in
                try db.rows(
                    """
                    SELECT domain, key, sessions, hosts FROM (
                        SELECT COALESCE(p.policy_domain, '') AS domain, COALESCE(f.\(column), '(not reported)') AS key,
                               CAST(TOTAL(f.failed_sessions) AS BIGINT) AS sessions,
                               GROUP_CONCAT(DISTINCT f.receiving_mx_hostname) AS hosts,
                               ROW_NUMBER() OVER (PARTITION BY COALESCE(p.policy_domain, '')
                                                  ORDER BY TOTAL(f.failed_sessions) DESC,
                                                           MIN(f.\(column)) NULLS FIRST) AS rank
                        FROM tls_failure f JOIN tls_policy p ON p.id = f.tls_policy_id
                        JOIN tls_report t ON t.id = p.tls_report_id WHERE \(condition)
                        GROUP BY domain, key
                    ) ranked WHERE rank <= ? ORDER BY domain, rank
                    """,
                    arguments + [top])
            }
            for (column, path) in [
                ("result_type", \TLSDomainSummary.byResultType), ("receiving_mx_hostname", \TLSDomainSummary.byMXHost),
                ("sending_mta_ip", \TLSDomainSummary.bySendingIP),
            ] {
                for row in try failureRows(column) {
                    let domain: String = row["domain"]
                    let failure = TLSDomainSummary.Failure(
                        key: row["key"], sessions: row["sessions"],
                        mxHosts: column == "result_type" ? Self.list(row["hosts"]) : [])
                    summaries[domain]?[keyPath: path].append(failure)
                }
            }
            return summaries.values.sorted {
                ($0.totalSessions, $1.domain) > (
                    $1.totalSessions, $0.domain
                )
            }
        }
    }

    static func list(_ value: String?) -> [String] {
        (value ?? "").split(separator: ",").map(String.init).sorted()
    }
}
